package dev.stevedore.server.preload;

import dev.stevedore.core.model.ImageReference;
import dev.stevedore.server.config.ByteSize;
import dev.stevedore.server.config.Durations;

/** The lines a preload prints, shared by the reporters. */
final class PreloadMessages {
  private PreloadMessages() {}

  /** {@code fetched docker.io/library/alpine:3.19 sha256:… (3 manifests, 5 blobs, 12.3 MB)}. */
  static String fetched(ImageResult result) {
    return "fetched " + result.image() + " " + result.digest() + " (" + contents(result) + ")";
  }

  /** {@code 3 manifests, 5 blobs, 12.3 MB}, then what was cached already. */
  static String contents(ImageResult result) {
    String contents =
        count(result.manifests(), "manifest")
            + ", "
            + count(result.blobs(), "blob")
            + ", "
            + ByteSize.format(result.bytes());
    if (result.blobs() > 0 && result.blobsCached() == result.blobs()) {
      return contents + "; all already cached";
    }
    if (result.blobsCached() > 0) {
      return contents + "; " + result.blobsCached() + " already cached";
    }
    return contents;
  }

  /** {@code 6 blobs}, {@code 6 blobs, 2 cached}, {@code 6 blobs, all cached}: short, for a bar. */
  static String blobs(ImageResult result) {
    String blobs = count(result.blobs(), "blob");
    if (result.blobs() > 0 && result.blobsCached() == result.blobs()) {
      return blobs + ", all cached";
    }
    return result.blobsCached() > 0 ? blobs + ", " + result.blobsCached() + " cached" : blobs;
  }

  /** {@code stevedore: cannot preload docker.io/library/nope:1: reason}. */
  static String failed(ImageReference image, String reason) {
    return "stevedore: cannot preload " + image + ": " + oneLine(reason);
  }

  /**
   * {@code preloaded 2 images: 6 manifests, 10 blobs (8 fetched, 2 already cached), 15.0 MB (12.3
   * MB fetched) in 3.2 s}; with failures, {@code preloaded 1 of 2 images (1 failed): …}.
   */
  static String summary(PreloadSummary summary) {
    int total = summary.images() + summary.failed();
    String images =
        summary.failed() == 0
            ? count(total, "image")
            : summary.images()
                + " of "
                + count(total, "image")
                + " ("
                + summary.failed()
                + " failed)";
    return "preloaded "
        + images
        + ": "
        + count(summary.manifests(), "manifest")
        + ", "
        + count(summary.blobs(), "blob")
        + " ("
        + summary.blobsFetched()
        + " fetched, "
        + summary.blobsCached()
        + " already cached), "
        + ByteSize.format(summary.bytes())
        + " ("
        + ByteSize.format(summary.bytesFetched())
        + " fetched) in "
        + Durations.format(summary.elapsed());
  }

  static String count(int count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }

  private static String oneLine(String text) {
    return text == null ? "unknown error" : text.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
