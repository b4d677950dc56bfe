package dev.stevedore.server.preload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.model.ImageReference;
import dev.stevedore.storage.Digest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressBarReporterTest {
  private static final ImageReference IMAGE = ImageReference.parse("alpine:3.19");
  private static final ImageReference MISSING = ImageReference.parse("nope:1");
  private static final Digest DIGEST = Digest.sha256(new byte[] {1});

  /** What a terminal shows: each line as its last carriage return left it. */
  private static List<String> screen(ByteArrayOutputStream out) {
    return Arrays.stream(out.toString(StandardCharsets.UTF_8).split("\n"))
        .map(line -> line.substring(line.lastIndexOf('\r') + 1).strip())
        .filter(line -> !line.isEmpty())
        .toList();
  }

  @Test
  void finishedBarStays_failedBarIsWiped_errorOnStderr_thenSummary() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ImageResult result = new ImageResult(IMAGE, DIGEST, 3, 4, 3L << 20, 3, 2L << 20);

    try (ProgressBarReporter reporter =
        new ProgressBarReporter(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            160)) {
      reporter.started(new ImageProgress(IMAGE, ImageProgress.ManifestReader.NONE));
      reporter.fetched(result);
      reporter.started(new ImageProgress(MISSING, ImageProgress.ManifestReader.NONE));
      reporter.failed(MISSING, "upstream docker.io has no manifest library/nope:1");
      reporter.finished(PreloadSummary.of(List.of(result), 1, Duration.ofSeconds(2)));
    }

    List<String> screen = screen(out);
    assertThat(screen).hasSize(2);
    assertThat(screen.get(0))
        .startsWith("docker.io/library/alpine:3.19")
        .contains("100%")
        .contains("3/3 MiB")
        .endsWith("4 blobs, 1 cached");
    assertThat(screen.get(1)).startsWith("preloaded 1 of 2 images (1 failed)");
    assertThat(err.toString(StandardCharsets.UTF_8).lines())
        .containsExactly(
            "stevedore: cannot preload docker.io/library/nope:1:"
                + " upstream docker.io has no manifest library/nope:1");
  }
}
