package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.AccessLogCapture;
import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.CdnStreamFaults;
import dev.stevedore.server.it.support.DataDirInspector;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.RawBlobClient;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import io.micrometer.core.instrument.Timer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blob pulls the way containerd 2.1+ makes them with {@code concurrent_layer_fetch_buffer}: several
 * parallel open-ended {@code Range: bytes=N-} requests, N a multiple of the chunk size, each
 * connection dropped by the client once it has its chunk. And clients that hang up the moment they
 * have Content-Length bytes: every such response is still logged and metered.
 */
class ChunkedPullIT {
  private static final int KIB = 1024;
  private static final int CHUNK = 512 * KIB;
  private static final int LAYER_SIZE = 3 * 1024 * KIB + 1234; // the last chunk is a short one

  private static Upstream upstream;

  @TempDir Path work;
  private InProcessStevedore proxy;
  private CdnStreamFaults cdn;
  private DataDirInspector data;
  private final ExecutorService clients = Executors.newCachedThreadPool();

  @BeforeAll
  static void startUpstream() throws IOException {
    upstream = Upstream.start(Files.createTempDirectory("stevedore-chunked-it"));
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
    data = new DataDirInspector(work.resolve("data"));
    upstream.resetCounters();
  }

  @AfterEach
  void stopProxy() {
    clients.shutdownNow();
    cdn.reset();
    if (proxy != null) {
      proxy.close();
    }
    upstream.resetCounters();
  }

  private static Blob pushLayer(long seed, String repository) {
    TestImage image =
        new TestImages(seed).layersPerPlatform(1).layerSizes(LAYER_SIZE, LAYER_SIZE).dockerImage();
    upstream.push(repository, "1", image);
    return image.platforms().get(0).layers().get(0);
  }

  @Test
  void chunkedRangePulls_coldThenWarm_reassembleTheBlob_fromOneDownload() throws Exception {
    Blob layer = pushLayer(171, "library/chunked");
    cdn.stall(layer.digest(), 256 * KIB); // cold for as long as every chunk's request comes in

    try (AccessLogCapture log = new AccessLogCapture()) {
      byte[] cold = chunkedPull("chunked", layer, cdn::releaseStalls);
      assertThat(sha256(cold)).isEqualTo(layer.digest());
      assertThat(upstream.front().cdnRequests())
          .as("one download for every chunk: %s", upstream.diagnostics())
          .isEqualTo(1);
      awaitTrue(
          () -> data.hasBlob(layer.digest()), "the download completes after every client left");

      byte[] warm = chunkedPull("chunked", layer, () -> {});
      assertThat(warm).isEqualTo(cold);
      assertThat(upstream.front().cdnRequests()).as("warm: no download").isEqualTo(1);
      int chunks = chunkCount(layer.size());
      awaitTrue(
          () -> blobLines(log, layer).size() == 2 * chunks,
          "every chunk response is logged, cut off or not");
    }
  }

  @Test
  void everyChunkClientGone_beforeTheColdBlobArrived_theDownloadStillCompletesAndIsStored()
      throws Exception {
    Blob layer = pushLayer(173, "library/abandoned");
    cdn.stall(layer.digest(), 256 * KIB);

    List<RawBlobClient> responses = new ArrayList<>();
    for (long first = 0; first < layer.size(); first += CHUNK) {
      responses.add(
          RawBlobClient.getRange(proxy.uri(), "abandoned", layer.digest(), "bytes=" + first + "-"));
    }
    for (RawBlobClient response : responses) {
      assertThat(response.status()).isEqualTo(206);
      response.close(); // containerd cancelled the pull: every connection gone mid-download
    }
    cdn.releaseStalls();

    awaitTrue(() -> data.hasBlob(layer.digest()), "the download completes with no client left");
    assertThat(chunkedPull("abandoned", layer, () -> {})).isEqualTo(layer.bytes());
    assertThat(upstream.front().cdnRequests())
        .as("one download: %s", upstream.diagnostics())
        .isEqualTo(1);
  }

  @Test
  void clientsClosingAfterContentLengthBytes_ofAColdBlob_areAllLoggedAndMetered() throws Exception {
    Blob layer = pushLayer(172, "library/hangup");
    cdn.stall(layer.digest(), 256 * KIB);
    int clientCount = 10;

    try (AccessLogCapture log = new AccessLogCapture()) {
      List<RawBlobClient> responses = new ArrayList<>();
      try {
        for (int i = 0; i < clientCount; i++) {
          responses.add(RawBlobClient.get(proxy.uri(), "hangup", layer.digest()));
        }
        cdn.releaseStalls();
        List<Future<Long>> reads = new ArrayList<>();
        for (RawBlobClient response : responses) {
          reads.add(
              clients.submit(
                  () -> {
                    try (response) { // closed right after the Content-Length bytes
                      assertThat(response.status()).isEqualTo(200);
                      long length = Long.parseLong(response.header("Content-Length"));
                      return response.readAtLeast(length);
                    }
                  }));
        }
        for (Future<Long> read : reads) {
          assertThat(read.get()).isEqualTo(layer.size());
        }
      } finally {
        for (RawBlobClient response : responses) {
          response.close();
        }
      }

      awaitTrue(
          () -> blobLines(log, layer).size() == clientCount && blobRequests() == clientCount,
          "one log line and one counted request per client");
      assertThat(blobLines(log, layer)).allSatisfy(line -> assertThat(line).contains("\" 200 "));
      assertThat(upstream.front().cdnRequests()).isEqualTo(1);
    }
  }

  /**
   * Fetches {@code layer} as containerd does: one open-ended range request per chunk, all sent
   * before any body is read ({@code beforeReading} runs then), read in parallel, each connection
   * closed once its chunk arrived. Returns the chunks put together.
   */
  private byte[] chunkedPull(String repository, Blob layer, Runnable beforeReading)
      throws Exception {
    long size = layer.size();
    List<RawBlobClient> responses = new ArrayList<>();
    try {
      for (long first = 0; first < size; first += CHUNK) {
        RawBlobClient response =
            RawBlobClient.getRange(proxy.uri(), repository, layer.digest(), "bytes=" + first + "-");
        responses.add(response);
        assertThat(response.status()).as(response.head()).isEqualTo(206);
        assertThat(response.header("Content-Range"))
            .isEqualTo("bytes " + first + "-" + (size - 1) + "/" + size);
        assertThat(response.header("Content-Length")).isEqualTo(Long.toString(size - first));
      }
      beforeReading.run();
      List<Future<byte[]>> chunks = new ArrayList<>();
      for (RawBlobClient response : responses) {
        int length = (int) Math.min(CHUNK, size - (long) chunks.size() * CHUNK);
        Callable<byte[]> read =
            () -> {
              try (response) { // the client drops the connection right after its chunk
                return response.readBytes(length);
              }
            };
        chunks.add(clients.submit(read));
      }
      ByteArrayOutputStream blob = new ByteArrayOutputStream();
      for (Future<byte[]> chunk : chunks) {
        blob.write(chunk.get());
      }
      return blob.toByteArray();
    } finally {
      for (RawBlobClient response : responses) {
        response.close();
      }
    }
  }

  private static int chunkCount(long size) {
    return (int) ((size + CHUNK - 1) / CHUNK);
  }

  private static List<String> blobLines(AccessLogCapture log, Blob layer) {
    return log.lines().stream().filter(line -> line.contains("/blobs/" + layer.digest())).toList();
  }

  private long blobRequests() {
    return proxy
        .proxy()
        .metrics()
        .registry()
        .find("stevedore.requests")
        .tags("route", "blob")
        .timers()
        .stream()
        .mapToLong(Timer::count)
        .sum();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /** Waits (up to a minute, polling) for what the server does after the clients are gone. */
  private static void awaitTrue(BooleanSupplier condition, String what)
      throws InterruptedException {
    for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) {
      Thread.sleep(100);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }
}
