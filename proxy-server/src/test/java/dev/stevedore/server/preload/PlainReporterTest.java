package dev.stevedore.server.preload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.model.ImageReference;
import dev.stevedore.storage.Digest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlainReporterTest {
  private static final Digest DIGEST = Digest.sha256("index".getBytes(StandardCharsets.UTF_8));
  private static final ImageReference ALPINE = ImageReference.parse("alpine:3.19");

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final PlainReporter reporter =
      new PlainReporter(
          new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));

  private List<String> outLines() {
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  private List<String> errLines() {
    return err.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void fetched_allDownloaded_oneLineWithDigestAndCounts() {
    reporter.fetched(new ImageResult(ALPINE, DIGEST, 3, 5, 12_345_678, 5, 12_345_678));

    assertThat(outLines())
        .containsExactly(
            "fetched docker.io/library/alpine:3.19 "
                + DIGEST
                + " (3 manifests, 5 blobs, 11.8 MiB)");
    assertThat(errLines()).isEmpty();
  }

  @Test
  void fetched_someCached_saysHowMany() {
    reporter.fetched(new ImageResult(ALPINE, DIGEST, 3, 5, 12_345_678, 3, 10_000_000));

    assertThat(outLines())
        .containsExactly(
            "fetched docker.io/library/alpine:3.19 "
                + DIGEST
                + " (3 manifests, 5 blobs, 11.8 MiB; 2 already cached)");
  }

  @Test
  void fetched_everythingCached_saysAll_andSingularNouns() {
    reporter.fetched(new ImageResult(ALPINE, DIGEST, 1, 1, 900, 0, 0));

    assertThat(outLines())
        .containsExactly(
            "fetched docker.io/library/alpine:3.19 "
                + DIGEST
                + " (1 manifest, 1 blob, 900 B; all already cached)");
  }

  @Test
  void failed_oneLineOnStderr_namingTheImage() {
    reporter.failed(
        ImageReference.parse("nope:1"), "upstream docker.io has no manifest\nlibrary/nope:1  ");

    assertThat(errLines())
        .containsExactly(
            "stevedore: cannot preload docker.io/library/nope:1: upstream docker.io has no manifest"
                + " library/nope:1");
    assertThat(outLines()).isEmpty();
  }

  @Test
  void finished_summaryOfImagesManifestsBlobsBytesAndTime() {
    PreloadSummary summary =
        PreloadSummary.of(
            List.of(
                new ImageResult(ALPINE, DIGEST, 3, 5, 12_300_000, 5, 12_300_000),
                new ImageResult(
                    ImageReference.parse("team/app:v1"), DIGEST, 3, 5, 2_700_000, 3, 700_000)),
            0,
            Duration.ofMillis(3_210));

    reporter.finished(summary);

    assertThat(outLines())
        .containsExactly(
            "preloaded 2 images: 6 manifests, 10 blobs (8 fetched, 2 already cached),"
                + " 14.3 MiB (12.4 MiB fetched) in 3.2 s");
  }

  @Test
  void finished_withFailures_saysHowManyOfHowMany() {
    PreloadSummary summary =
        PreloadSummary.of(
            List.of(new ImageResult(ALPINE, DIGEST, 1, 2, 2_000, 0, 0)), 1, Duration.ofSeconds(1));

    reporter.finished(summary);

    assertThat(outLines())
        .containsExactly(
            "preloaded 1 of 2 images (1 failed): 1 manifest, 2 blobs (0 fetched, 2 already cached),"
                + " 2 KiB (0 B fetched) in 1 s");
  }

  @Test
  void started_printsNothing() {
    reporter.started(new ImageProgress(ALPINE, ImageProgress.ManifestReader.NONE));

    assertThat(outLines()).isEmpty();
    assertThat(errLines()).isEmpty();
  }
}
