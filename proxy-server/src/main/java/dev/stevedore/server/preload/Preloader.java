package dev.stevedore.server.preload;

import dev.stevedore.core.cache.Futures;
import dev.stevedore.core.cache.ImageFetcher;
import dev.stevedore.core.cache.ImageFetcher.FetchedImage;
import dev.stevedore.core.cache.ReferrerFetcher;
import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.ImageReference;
import dev.stevedore.core.model.ManifestDocument;
import dev.stevedore.core.model.Platform;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.server.CacheServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Fetches images into the cache one after the other, each from the upstream of its registry, and
 * reports as it goes. A failed image is reported and the others still fetched.
 */
public final class Preloader {
  private final CacheServices cache;
  private final List<Platform> platforms;
  private final PreloadReporter reporter;
  private final ImageFetcher fetcher;
  private final Optional<ReferrerFetcher> referrers;

  /** An empty {@code platforms} list means every platform. */
  public Preloader(CacheServices cache, List<Platform> platforms, PreloadReporter reporter) {
    this(cache, platforms, reporter, false);
  }

  /**
   * @param withReferrers also fetch each image's cosign signature and attestation tags and its OCI
   *     referrers ({@link ReferrerFetcher}), each reported as an image of its own
   */
  public Preloader(
      CacheServices cache,
      List<Platform> platforms,
      PreloadReporter reporter,
      boolean withReferrers) {
    this.cache = Objects.requireNonNull(cache, "cache");
    this.platforms = List.copyOf(platforms);
    this.reporter = Objects.requireNonNull(reporter, "reporter");
    this.fetcher = new ImageFetcher(cache.manifests(), cache.blobs());
    this.referrers =
        withReferrers
            ? Optional.of(new ReferrerFetcher(fetcher, cache.manifests().referrers(), cache.disk()))
            : Optional.empty();
  }

  /** Preloads every image and reports the summary; blocks until done. */
  public PreloadSummary preload(List<ImageReference> images) throws InterruptedException {
    long start = System.nanoTime();
    List<ImageResult> preloaded = new ArrayList<>();
    int failed = 0;
    for (ImageReference image : images) {
      try {
        for (ImageResult result : preload(image)) {
          preloaded.add(result);
          reporter.fetched(result);
        }
      } catch (RuntimeException e) {
        failed++;
        reporter.failed(image, e instanceof PreloadFailure ? e.getMessage() : reason(e));
      }
    }
    PreloadSummary summary =
        PreloadSummary.of(preloaded, failed, Duration.ofNanos(System.nanoTime() - start));
    reporter.finished(summary);
    return summary;
  }

  /** The image, then what signs and describes it when asked to. */
  private List<ImageResult> preload(ImageReference image) throws InterruptedException {
    Upstream upstream = upstreamOf(image);
    ImageProgress progress = new ImageProgress(image, cache.storedManifests()::read);
    reporter.started(progress);
    FetchedImage fetched;
    try {
      fetched = fetcher.fetch(upstream, image, platforms, progress).get();
    } catch (ExecutionException e) {
      throw new PreloadFailure(reason(e));
    }
    requireWantedPlatforms(fetched);
    List<ImageResult> results = new ArrayList<>();
    results.add(ImageResult.of(fetched, progress));
    if (referrers.isPresent()) {
      Map<ImageReference, ImageProgress> progresses = new ConcurrentHashMap<>();
      Function<ImageReference, ImageFetcher.Listener> listeners =
          reference ->
              progresses.computeIfAbsent(
                  reference, each -> new ImageProgress(each, cache.storedManifests()::read));
      try {
        for (FetchedImage attached : referrers.get().fetch(upstream, fetched, listeners)) {
          results.add(ImageResult.of(attached, progresses.get(attached.image())));
        }
      } catch (RuntimeException e) {
        throw new PreloadFailure("its signatures and referrers: " + reason(e));
      }
    }
    return results;
  }

  private Upstream upstreamOf(ImageReference image) {
    try {
      return cache.upstreams().select(Optional.of(image.registry()));
    } catch (RegistryException e) {
      if (e.code() != ErrorCode.NAME_UNKNOWN) {
        throw e;
      }
      throw new PreloadFailure(
          "registry "
              + image.registry()
              + " is not a configured upstream; add --upstream "
              + image.registry()
              + "=https://"
              + image.registry());
    }
  }

  /** An index none of whose children is a wanted platform yields no image at all: say so. */
  private void requireWantedPlatforms(FetchedImage fetched) {
    if (platforms.isEmpty() || fetched.manifests().size() > 1) {
      return;
    }
    ManifestDocument top =
        ManifestDocument.parse(fetched.top().descriptor().mediaType(), fetched.top().body());
    if (top instanceof ManifestDocument.Index index) {
      String available =
          index.manifests().stream()
              .map(child -> child.platform().map(Platform::toString).orElse("unknown"))
              .distinct()
              .collect(Collectors.joining(", "));
      throw new PreloadFailure(
          "no image for "
              + platforms.stream().map(Platform::toString).collect(Collectors.joining(", "))
              + " (it has "
              + (available.isEmpty() ? "none" : available)
              + ")");
    }
  }

  /** One line saying why a fetch failed. */
  static String reason(Throwable error) {
    Throwable cause = Futures.unwrap(error);
    if (cause instanceof RegistryException registryError) {
      return registryError.detail() == null
          ? registryError.code().message()
          : registryError.detail();
    }
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }

  /** Why one image could not be preloaded. */
  private static final class PreloadFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PreloadFailure(String message) {
      super(message, null, false, false);
    }
  }
}
