package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.CdnStreamFaults;
import dev.stevedore.server.it.support.DataDirInspector;
import dev.stevedore.server.it.support.ProcessResult;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.StevedoreProcess;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7, integrity under faults: {@code kill -9} of a {@code stevedore serve} process in the
 * middle of a large cold download loses only that download. The restarted process on the same data
 * directory removes the dead process's temp files, never serves a partial blob, pulls the image
 * intact, and then serves it with the upstream registry stopped.
 */
class CrashRecoveryIT {
  /** The layer's content; gzip barely shrinks random bytes, so the blob is about this big. */
  private static final int LAYER_CONTENT_BYTES = 24 * 1024 * 1024;

  /**
   * The CDN holds the layer's body after this many bytes until released, so the kill certainly
   * comes in the middle of the download (not during a race against a throttled transfer).
   */
  private static final long KILL_AFTER_BYTES = 6L * 1024 * 1024;

  @TempDir Path work;

  @Test
  void killMinus9MidColdDownload_restartRemovesPartialFilesPullsIntact_thenServesUpstreamStopped()
      throws Exception {
    try (Upstream upstream = Upstream.start(work.resolve("upstream"))) {
      TestImage image =
          new TestImages(7)
              .layersPerPlatform(1)
              .layerSizes(LAYER_CONTENT_BYTES, LAYER_CONTENT_BYTES)
              .dockerImage();
      Blob layer = image.platforms().get(0).layers().get(0);
      upstream.push("library/bigfile", "1.0", image);
      CdnStreamFaults cdn = upstream.front().streamFaults();
      Path data = work.resolve("data");
      DataDirInspector dataDir = new DataDirInspector(data);
      Skopeo skopeo = new Skopeo(work).withTimeout(Duration.ofSeconds(60));

      // 1. A cold pull of a large layer whose CDN holds the body mid-way; kill -9 while it does,
      //    once Stevedore has written everything it received to its partial file.
      cdn.stall(layer.digest(), KILL_AFTER_BYTES);
      long deadPid;
      ProcessResult doomedPull;
      try (StevedoreProcess first =
          StevedoreProcess.serve(data, upstream.uri(), work.resolve("first.log"))) {
        deadPid = first.pid();
        CompletableFuture<ProcessResult> pulling =
            CompletableFuture.supplyAsync(
                () ->
                    skopeo.copyAll(
                        Skopeo.dockerRef(first.uri(), "bigfile", "1.0"), work.resolve("doomed")));
        awaitUntil(
            () -> cdn.stalledResponses() == 1 && partialBytes(dataDir, layer) == KILL_AFTER_BYTES,
            "the CDN holds the body and the partial file has the " + KILL_AFTER_BYTES + " bytes",
            upstream,
            pulling);
        first.kill();
        assertThat(cdn.stalledResponses()).as("killed mid-download").isEqualTo(1);
        doomedPull = pulling.get(60, TimeUnit.SECONDS);
      } finally {
        cdn.releaseStalls();
      }
      assertThat(doomedPull.succeeded()).as("the pull the kill interrupted").isFalse();

      // 2. What the crash left: a partial download in the dead process's temp folder, nothing
      //    partial or wrong under blobs/.
      assertThat(dataDir.blobProblems()).isEmpty();
      assertThat(dataDir.hasBlob(layer.digest())).isFalse();
      List<String> deadFolders = dataDir.tmpFoldersOf(deadPid);
      assertThat(deadFolders).hasSize(1);
      List<Path> partial = dataDir.partialDownloadsOf(layer.digest());
      assertThat(partial).hasSize(1);
      long partialBytes = Files.size(partial.get(0));
      assertThat(partialBytes).isEqualTo(KILL_AFTER_BYTES);

      // 3. Restart on the same data directory, CDN at full speed: the leftovers are gone and the
      //    image is pulled intact (the layer downloaded afresh, not resumed from the partial file).
      upstream.resetCounters();
      try (StevedoreProcess second =
          StevedoreProcess.serve(data, upstream.uri(), work.resolve("second.log"))) {
        assertThat(dataDir.tmpFolders()).doesNotContainAnyElementsOf(deadFolders);
        assertThat(dataDir.partialDownloadsOf(layer.digest())).isEmpty();

        Path pulled = work.resolve("pulled");
        skopeo.copyAll(Skopeo.dockerRef(second.uri(), "bigfile", "1.0"), pulled).requireSuccess();
        assertPulledIntact(pulled, image, layer);
        assertThat(upstream.front().cdnBytes()).isGreaterThanOrEqualTo(layer.size());
        assertThat(dataDir.hasBlob(layer.digest())).isTrue();
        assertThat(dataDir.blobProblems()).isEmpty();
        assertThat(dataDir.tmpFiles()).isEmpty();

        // 4. Upstream registry down: by tag and by digest, straight from the cache.
        upstream.registry().stop();
        upstream.resetCounters();
        Path byTag = work.resolve("offline-tag");
        skopeo.copyAll(Skopeo.dockerRef(second.uri(), "bigfile", "1.0"), byTag).requireSuccess();
        Path byDigest = work.resolve("offline-digest");
        skopeo
            .copyAll(Skopeo.dockerRef(second.uri(), "bigfile", image.digest()), byDigest)
            .requireSuccess();
        assertPulledIntact(byTag, image, layer);
        assertPulledIntact(byDigest, image, layer);
        assertThat(upstream.front().cdnRequests()).isZero();
        assertThat(second.log()).doesNotContain("Exception in thread");
        System.out.printf(
            "CrashRecoveryIT: killed pid %d with %d of %d layer bytes in the partial file;"
                + " restarted pid %d removed %s, re-fetched and served offline%n",
            deadPid, partialBytes, layer.size(), second.pid(), deadFolders);
      }
    }
  }

  /** Bytes in the partial download of {@code layer}, 0 while there is none. */
  private static long partialBytes(DataDirInspector dataDir, Blob layer) {
    List<Path> partial = dataDir.partialDownloadsOf(layer.digest());
    try {
      return partial.size() == 1 ? Files.size(partial.get(0)) : 0;
    } catch (IOException gone) {
      return 0;
    }
  }

  /** Polls until {@code condition} holds; fails if the pull ends first or after 30 s. */
  private static void awaitUntil(
      BooleanSupplier condition,
      String what,
      Upstream upstream,
      CompletableFuture<ProcessResult> pulling)
      throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    while (!condition.getAsBoolean()) {
      if (pulling.isDone()) {
        throw new AssertionError(
            "the pull ended before "
                + what
                + ": "
                + pulling.join()
                + "\n"
                + upstream.diagnostics());
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within 30 s: " + what + "\n" + upstream.diagnostics());
      }
      Thread.sleep(5);
    }
  }

  /** skopeo's {@code dir:} copy holds the image's manifest and its layer, byte for byte. */
  private static void assertPulledIntact(Path pulled, TestImage image, Blob layer)
      throws Exception {
    assertThat(Digest.sha256(Files.readAllBytes(pulled.resolve("manifest.json"))).toString())
        .isEqualTo(image.digest());
    Path layerFile = pulled.resolve(layer.digest().substring("sha256:".length()));
    assertThat(Files.size(layerFile)).isEqualTo(layer.size());
    assertThat("sha256:" + DataDirInspector.sha256Hex(layerFile)).isEqualTo(layer.digest());
  }
}
