package dev.stevedore.server.preload;

import dev.stevedore.core.cache.ImageFetcher.FetchedImage;
import dev.stevedore.core.model.ImageReference;
import dev.stevedore.storage.Digest;
import java.util.Objects;

/**
 * One preloaded image: its top manifest's digest, how many manifests and blobs it consists of, and
 * how many of the blobs this preload downloaded (the others were cached already).
 */
public record ImageResult(
    ImageReference image,
    Digest digest,
    int manifests,
    int blobs,
    long bytes,
    int blobsFetched,
    long bytesFetched) {

  public ImageResult {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(digest, "digest");
    if (blobsFetched > blobs || bytesFetched > bytes) {
      throw new IllegalArgumentException("fetched more than the image holds");
    }
  }

  /** The result of a finished fetch, with what {@code progress} counted as downloaded. */
  public static ImageResult of(FetchedImage fetched, ImageProgress progress) {
    return new ImageResult(
        fetched.image(),
        fetched.top().descriptor().digest(),
        fetched.manifests().size(),
        fetched.blobs().size(),
        fetched.blobBytes(),
        Math.min(progress.blobsFetched(), fetched.blobs().size()),
        Math.min(progress.bytesFetched(), fetched.blobBytes()));
  }

  public int blobsCached() {
    return blobs - blobsFetched;
  }
}
