package dev.stevedore.server.preload;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** The totals of a preload run; blobs are counted per image. */
public record PreloadSummary(
    int images,
    int failed,
    int manifests,
    int blobs,
    int blobsFetched,
    long bytes,
    long bytesFetched,
    Duration elapsed) {

  public PreloadSummary {
    Objects.requireNonNull(elapsed, "elapsed");
  }

  /** Adds up the preloaded images. */
  public static PreloadSummary of(List<ImageResult> preloaded, int failed, Duration elapsed) {
    return new PreloadSummary(
        preloaded.size(),
        failed,
        preloaded.stream().mapToInt(ImageResult::manifests).sum(),
        preloaded.stream().mapToInt(ImageResult::blobs).sum(),
        preloaded.stream().mapToInt(ImageResult::blobsFetched).sum(),
        preloaded.stream().mapToLong(ImageResult::bytes).sum(),
        preloaded.stream().mapToLong(ImageResult::bytesFetched).sum(),
        elapsed);
  }

  public int blobsCached() {
    return blobs - blobsFetched;
  }
}
