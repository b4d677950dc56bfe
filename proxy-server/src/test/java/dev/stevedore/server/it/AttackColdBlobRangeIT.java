package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.CdnStreamFaults;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.RawBlobClient;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack: ask for a {@code Range} of a blob that is not cached yet, hoping to get bytes (or a
 * complete range) vouched for by {@code Docker-Content-Digest} before the digest verified. A range
 * that includes the last byte completes only with verified bytes, like a whole blob; a range that
 * ends before it is sent as the bytes arrive, naming no digest until the blob verified.
 */
class AttackColdBlobRangeIT {
  private static final int MIB = 1024 * 1024;

  private static Upstream upstream;

  @TempDir Path work;
  private InProcessStevedore proxy;
  private CdnStreamFaults cdn;

  @BeforeAll
  static void startUpstream() throws IOException {
    upstream = Upstream.start(Files.createTempDirectory("stevedore-range-it"));
  }

  @AfterAll
  static void stopUpstream() {
    if (upstream != null) {
      upstream.close();
    }
  }

  @BeforeEach
  void startProxy() throws Exception {
    cdn = upstream.front().streamFaults();
    proxy =
        InProcessStevedore.on(work.resolve("data")).upstream("docker.io", upstream.uri()).start();
  }

  @AfterEach
  void stopProxy() {
    cdn.reset();
    if (proxy != null) {
      proxy.close();
    }
    upstream.resetCounters();
  }

  private static Blob pushLayer(long seed, String repository) {
    TestImage image =
        new TestImages(seed).layersPerPlatform(1).layerSizes(2 * MIB, 2 * MIB).dockerImage();
    upstream.push(repository, "1", image);
    return image.platforms().get(0).layers().get(0);
  }

  private static boolean namesDigest(RawBlobClient response) {
    return response.head().toLowerCase(Locale.ROOT).contains("\r\ndocker-content-digest:");
  }

  @Test
  void rangeIncludingTheLastByte_ofACorruptColdBlob_isNeverCompleted() throws Exception {
    Blob layer = pushLayer(81, "library/corrupt-range");
    cdn.corrupt(layer.digest(), layer.size() / 2);
    long length = 4096;
    URI uri = proxy.uri();

    try (RawBlobClient range =
        RawBlobClient.getRange(
            uri, "corrupt-range", layer.digest(), "bytes=" + (layer.size() - length) + "-")) {
      assertThat(range.status()).isEqualTo(206);
      assertThat(range.head()).containsIgnoringCase("content-length: " + length);
      assertThatThrownBy(() -> range.readAtLeast(length))
          .as("the range ends in the held-back last byte: cut off, never completed")
          .isInstanceOf(IOException.class);
      assertThat(range.bodyBytes()).isLessThan(length);
    }
  }

  @Test
  void rangeBeforeTheLastByte_ofAColdBlob_namesNoDigestUntilVerified() throws Exception {
    Blob layer = pushLayer(82, "library/early-range");
    cdn.stall(layer.digest(), 256 * 1024);
    URI uri = proxy.uri();

    try (RawBlobClient early =
        RawBlobClient.getRange(uri, "early-range", layer.digest(), "bytes=0-999")) {
      assertThat(early.status()).isEqualTo(206);
      assertThat(early.readAtLeast(1000)).as("served as the bytes arrive").isEqualTo(1000);
      assertThat(namesDigest(early))
          .as("unverified bytes are not vouched for:\n%s", early.head())
          .isFalse();
      assertThat(early.head()).doesNotContainIgnoringCase("\r\netag:");
    }
    try (RawBlobClient toTheEnd =
        RawBlobClient.getRange(uri, "early-range", layer.digest(), "bytes=1000-")) {
      assertThat(toTheEnd.status()).isEqualTo(206);
      assertThat(namesDigest(toTheEnd)).as("completes only once verified").isTrue();
      cdn.releaseStalls();
      assertThat(toTheEnd.readAtLeast(layer.size() - 1000)).isEqualTo(layer.size() - 1000);
    }

    try (RawBlobClient cached =
        RawBlobClient.getRange(uri, "early-range", layer.digest(), "bytes=0-999")) {
      assertThat(cached.status()).isEqualTo(206);
      assertThat(cached.head())
          .as("a verified blob names its digest")
          .containsIgnoringCase("docker-content-digest: " + layer.digest());
    }
  }
}
