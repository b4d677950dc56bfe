package dev.stevedore.core.cache;

import static dev.stevedore.core.cache.Futures.supplyBlocking;

import dev.stevedore.core.cache.ImageFetcher.FetchedImage;
import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.ImageReference;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.storage.Digest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Brings what signs and describes an image into the cache, for {@code --with-referrers}: for each
 * of its manifests (the index and every platform manifest fetched), the cosign tags {@code
 * sha256-<hex>.sig} and {@code .att}, and the OCI referrers. The referrers come from the referrers
 * API when the upstream has it (the index is then kept as the tag-schema tag {@code sha256-<hex>},
 * {@link ReferrersService#keepAsTag}) and from that tag otherwise; either way they end up as the
 * tag, an image like any other, which an offline cache answers the API from. Each is fetched whole
 * by the {@link ImageFetcher}; one the upstream does not have is no error.
 */
public final class ReferrerFetcher {
  private static final List<String> COSIGN_SUFFIXES = List.of(".sig", ".att");

  private final ImageFetcher images;
  private final ReferrersService referrers;
  private final Executor disk;

  public ReferrerFetcher(ImageFetcher images, ReferrersService referrers, Executor disk) {
    this.images = Objects.requireNonNull(images, "images");
    this.referrers = Objects.requireNonNull(referrers, "referrers");
    this.disk = Objects.requireNonNull(disk, "disk");
  }

  /**
   * Fetches the signatures, attestations and referrers of {@code image}'s manifests; blocks. Each
   * comes back as a tagged image of the same repository.
   *
   * @throws RegistryException if the upstream fails other than by not having one
   */
  public List<FetchedImage> fetch(Upstream upstream, FetchedImage image) {
    return fetch(upstream, image, reference -> new ImageFetcher.Listener() {});
  }

  /** As {@link #fetch(Upstream, FetchedImage)}, telling each fetch's listener what it does. */
  public List<FetchedImage> fetch(
      Upstream upstream,
      FetchedImage image,
      Function<ImageReference, ImageFetcher.Listener> listeners) {
    Set<Digest> subjects = new LinkedHashSet<>();
    image.manifests().forEach(manifest -> subjects.add(manifest.descriptor().digest()));
    List<FetchedImage> found = new ArrayList<>();
    for (Digest subject : subjects) {
      for (String suffix : COSIGN_SUFFIXES) {
        tagged(upstream, image.image(), ReferrersTag.tagOf(subject) + suffix, listeners)
            .ifPresent(found::add);
      }
      referrersOf(upstream, image.image(), subject, listeners).ifPresent(found::add);
    }
    return found;
  }

  private Optional<FetchedImage> referrersOf(
      Upstream upstream,
      ImageReference image,
      Digest subject,
      Function<ImageReference, ImageFetcher.Listener> listeners) {
    referrers
        .referrers(upstream, image.repository(), subject, Optional.empty())
        .thenCompose(
            served ->
                supplyBlocking(
                    () -> {
                      if (served.value().isPresent() && !served.value().get().filtered()) {
                        referrers.keepAsTag(
                            upstream, image.repository(), subject, served.value().get());
                      }
                      return null;
                    },
                    disk))
        .exceptionally(error -> null) // no answer now: the upstream's tag schema may have them
        .join();
    return tagged(upstream, image, ReferrersTag.tagOf(subject), listeners);
  }

  private Optional<FetchedImage> tagged(
      Upstream upstream,
      ImageReference image,
      String tag,
      Function<ImageReference, ImageFetcher.Listener> listeners) {
    ImageReference reference =
        new ImageReference(image.registry(), image.repository(), Reference.parse(tag));
    try {
      return Optional.of(
          images.fetch(upstream, reference, List.of(), listeners.apply(reference)).join());
    } catch (RuntimeException e) {
      if (Futures.unwrap(e) instanceof RegistryException missing && isAbsent(missing)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static boolean isAbsent(RegistryException error) {
    return error.code() == ErrorCode.MANIFEST_UNKNOWN || error.code() == ErrorCode.NAME_UNKNOWN;
  }
}
