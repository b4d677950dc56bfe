package dev.stevedore.core.cache;

import dev.stevedore.core.model.Descriptor;
import dev.stevedore.core.model.ImageReference;
import dev.stevedore.core.model.ManifestDocument;
import dev.stevedore.core.model.Platform;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.upstream.Upstream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Brings a whole image into the cache through the caching services: its manifest (an index is kept
 * whole, so digests stay valid), the child manifests of the wanted platforms, and every config and
 * layer blob. What is cached already is not fetched again; with an offline upstream it checks that
 * everything is cached.
 */
public final class ImageFetcher {
  private static final int PARALLEL_BLOBS = 4;

  private final ManifestService manifests;
  private final BlobService blobs;

  public ImageFetcher(ManifestService manifests, BlobService blobs) {
    this.manifests = Objects.requireNonNull(manifests, "manifests");
    this.blobs = Objects.requireNonNull(blobs, "blobs");
  }

  /** Hears what a fetch does, for progress output. Called from pool threads. */
  public interface Listener {
    default void manifest(ImageReference image, ManifestDescriptor manifest) {}

    /**
     * A blob is wanted: already stored, or being fetched (then {@code source} is a {@link
     * BlobFetch}).
     */
    default void blobStarted(ImageReference image, Descriptor blob, BlobSource source) {}

    default void blobDone(ImageReference image, Descriptor blob) {}
  }

  /** Everything one image consists of, all of it now in the cache. */
  public record FetchedImage(
      ImageReference image, List<ManifestContent> manifests, List<Descriptor> blobs) {
    public FetchedImage {
      manifests = List.copyOf(manifests);
      blobs = List.copyOf(blobs);
    }

    /** The manifest the reference names (an index, or a single-platform image manifest). */
    public ManifestContent top() {
      return manifests.get(0);
    }

    /** Total size of the blobs. */
    public long blobBytes() {
      return blobs.stream().mapToLong(Descriptor::size).sum();
    }
  }

  /**
   * Fetches {@code image} from {@code upstream} into the cache. An empty {@code platforms} list
   * means every platform of an index.
   */
  public CompletableFuture<FetchedImage> fetch(
      Upstream upstream, ImageReference image, List<Platform> platforms, Listener listener) {
    List<ManifestContent> fetched = Collections.synchronizedList(new ArrayList<>());
    return manifests
        .get(ManifestRequest.of(upstream, image.repository(), image.reference()))
        .thenApply(Served::value)
        .thenCompose(
            top -> {
              fetched.add(top);
              listener.manifest(image, top.descriptor());
              ManifestDocument document = parse(top);
              if (document instanceof ManifestDocument.Index index) {
                return childImages(upstream, image, index, platforms, listener, fetched);
              }
              return CompletableFuture.completedFuture(List.of((ManifestDocument.Image) document));
            })
        .thenCompose(
            images -> {
              Map<String, Descriptor> unique = new LinkedHashMap<>();
              images.forEach(
                  each -> each.blobs().forEach(b -> unique.putIfAbsent(b.digest().toString(), b)));
              List<Descriptor> wanted = List.copyOf(unique.values());
              return Futures.forEachLimited(
                      wanted, PARALLEL_BLOBS, blob -> fetchBlob(upstream, image, blob, listener))
                  .thenApply(done -> new FetchedImage(image, fetched, wanted));
            });
  }

  private CompletableFuture<List<ManifestDocument.Image>> childImages(
      Upstream upstream,
      ImageReference image,
      ManifestDocument.Index index,
      List<Platform> platforms,
      Listener listener,
      List<ManifestContent> fetched) {
    List<Descriptor> children =
        index.manifests().stream().filter(child -> wanted(child, platforms)).toList();
    List<ManifestDocument.Image> images = Collections.synchronizedList(new ArrayList<>());
    return Futures.forEachLimited(
            children,
            PARALLEL_BLOBS,
            child ->
                manifests
                    .get(
                        ManifestRequest.of(
                            upstream, image.repository(), Reference.of(child.digest())))
                    .thenApply(Served::value)
                    .thenAccept(
                        content -> {
                          fetched.add(content);
                          listener.manifest(image, content.descriptor());
                          if (parse(content) instanceof ManifestDocument.Image childImage) {
                            images.add(childImage);
                          }
                        }))
        .thenApply(done -> List.copyOf(images));
  }

  private static boolean wanted(Descriptor child, List<Platform> platforms) {
    if (platforms.isEmpty()) {
      return true;
    }
    return child
        .platform()
        .map(p -> platforms.stream().anyMatch(want -> want.matches(p)))
        .orElse(false);
  }

  private CompletableFuture<Void> fetchBlob(
      Upstream upstream, ImageReference image, Descriptor blob, Listener listener) {
    return blobs
        .open(upstream, image.repository(), blob.digest())
        .thenCompose(
            source -> {
              listener.blobStarted(image, blob, source);
              if (source instanceof StoredBlob present) {
                present.close(); // stored is all a preload needs to know
              }
              CompletableFuture<?> stored =
                  source instanceof BlobFetch running
                      ? running.done()
                      : CompletableFuture.completedFuture(null);
              return stored.thenRun(() -> listener.blobDone(image, blob));
            });
  }

  private static ManifestDocument parse(ManifestContent content) {
    return ManifestDocument.parse(content.descriptor().mediaType(), content.body());
  }
}
