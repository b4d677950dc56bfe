package dev.stevedore.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The caps against real HTTP: a loopback registry whose one blob can be held half-sent. */
class UpstreamCapsHttpTest {

  private static final RepositoryName REPO = RepositoryName.parse("library/alpine");

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final CountDownLatch finishSlowBlob = new CountDownLatch(1);
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  private HttpServer server;
  private Digest slow;
  private Digest fast;
  private FakeRegistry registry;

  @BeforeEach
  void startServer() throws IOException {
    slow = put(bytes(64 * 1024, 1));
    fast = put(bytes(1000, 2));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  @AfterEach
  void stopServer() {
    finishSlowBlob.countDown();
    server.stop(0);
    executor.shutdownNow();
    if (registry != null) {
      registry.close();
    }
  }

  private Digest put(byte[] content) {
    Digest digest = Digest.sha256(content);
    blobs.put(digest.toString(), content);
    return digest;
  }

  private static byte[] bytes(int size, int seed) {
    byte[] content = new byte[size];
    for (int i = 0; i < size; i++) {
      content[i] = (byte) (i * seed);
    }
    return content;
  }

  private UpstreamClient client(UpstreamCaps caps) {
    URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    return new UpstreamClient(
        UpstreamConfig.of("127.0.0.1", url)
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5))
            .withCaps(caps));
  }

  private int requestsFor(Digest digest, String method) {
    return requests.getOrDefault(method + " " + digest, new AtomicInteger()).get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      String path = exchange.getRequestURI().getPath();
      if (path.equals("/v2/")) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      String digest = path.substring(path.lastIndexOf('/') + 1);
      requests
          .computeIfAbsent(exchange.getRequestMethod() + " " + digest, k -> new AtomicInteger())
          .incrementAndGet();
      byte[] blob = blobs.get(digest);
      if (blob == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
      if (exchange.getRequestMethod().equals("HEAD")) {
        exchange.getResponseHeaders().set("Content-Length", Integer.toString(blob.length));
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, blob.length);
      OutputStream out = exchange.getResponseBody();
      if (digest.equals(slow.toString())) {
        out.write(blob, 0, blob.length / 2);
        out.flush();
        await(finishSlowBlob);
        out.write(blob, blob.length / 2, blob.length - blob.length / 2);
      } else {
        out.write(blob);
      }
      out.close();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits until {@code count} requests wait for the client's connection cap: a certain state (the
   * slow blob holds the one permit until the test releases it), where a sleep would only guess.
   */
  private static void awaitQueued(UpstreamClient client, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (client.queuedRequests() < count) {
      assertThat(System.nanoTime())
          .as("%d requests queue for the connection cap", count)
          .isLessThan(deadline);
      Thread.sleep(1);
    }
    assertThat(client.queuedRequests()).isEqualTo(count);
  }

  private static <T> T value(CompletableFuture<T> future) throws Exception {
    return future.get(10, TimeUnit.SECONDS);
  }

  private static RegistryException failure(CompletableFuture<?> future) throws Exception {
    Throwable failure = future.handle((value, error) -> error).get(10, TimeUnit.SECONDS);
    assertThat(failure).isInstanceOf(RegistryException.class);
    return (RegistryException) failure;
  }

  @Test
  void maxConnectionsOne_secondRequestWaitsForTheSlowBlob_thenSucceeds() throws Exception {
    UpstreamClient client = client(UpstreamCaps.NONE.withMaxConnections(1));
    BlobDownload first = value(client.getBlob(REPO, slow));

    CompletableFuture<BlobHead> head = client.headBlob(REPO, fast);
    CompletableFuture<BlobDownload> second = client.getBlob(REPO, fast);
    awaitQueued(client, 2);

    assertThat(head).isNotDone();
    assertThat(second).isNotDone();
    assertThat(requestsFor(fast, "HEAD") + requestsFor(fast, "GET"))
        .as("nothing else reached the upstream while the slow blob streams")
        .isZero();

    finishSlowBlob.countDown();
    try (first;
        InputStream body = first.body()) {
      assertThat(body.readAllBytes()).isEqualTo(blobs.get(slow.toString()));
    }

    assertThat(value(head).contentLength()).isEqualTo(1000);
    try (BlobDownload download = value(second)) {
      assertThat(download.body().readAllBytes()).isEqualTo(blobs.get(fast.toString()));
    }
  }

  @Test
  void tinyQueueTimeout_waiterGetsTooManyRequests_andTheCapFreesOnClose() throws Exception {
    UpstreamClient client =
        client(UpstreamCaps.NONE.withMaxConnections(1).withQueueTimeout(Duration.ofMillis(200)));
    BlobDownload first = value(client.getBlob(REPO, slow));

    RegistryException refused = failure(client.getBlob(REPO, fast));

    assertThat(refused.code()).isEqualTo(ErrorCode.TOOMANYREQUESTS);
    assertThat(refused.headers()).containsEntry("Retry-After", "1");
    assertThat(requestsFor(fast, "GET")).isZero();

    first.close(); // abandoned half-read: the permit must come back anyway
    try (BlobDownload download = value(client.getBlob(REPO, fast))) {
      assertThat(download.body().readAllBytes()).hasSize(1000);
    }
  }

  @Test
  void failedRequests_releaseTheirPermits() throws Exception {
    UpstreamClient client =
        client(UpstreamCaps.NONE.withMaxConnections(1).withQueueTimeout(Duration.ZERO));
    Digest missing = Digest.sha256(new byte[] {42});

    for (int i = 0; i < 3; i++) {
      assertThat(failure(client.getBlob(REPO, missing)).code()).isEqualTo(ErrorCode.BLOB_UNKNOWN);
      assertThat(failure(client.headBlob(REPO, missing)).code()).isEqualTo(ErrorCode.BLOB_UNKNOWN);
    }
    assertThat(value(client.headBlob(REPO, fast)).contentLength()).isEqualTo(1000);
  }

  @Test
  void readToTheEnd_releasesWithoutClose() throws Exception {
    UpstreamClient client =
        client(UpstreamCaps.NONE.withMaxConnections(1).withQueueTimeout(Duration.ZERO));

    BlobDownload first = value(client.getBlob(REPO, fast));
    first.body().readAllBytes();

    assertThat(value(client.headBlob(REPO, fast)).contentLength()).isEqualTo(1000);
    first.close();
  }

  @Test
  void bandwidthLimit_slowsADownload() throws Exception {
    UpstreamClient client = client(UpstreamCaps.NONE.withBandwidth(256 * 1024));
    Digest big = put(bytes(128 * 1024, 3));
    long start = System.nanoTime();

    try (BlobDownload download = value(client.getBlob(REPO, big))) {
      assertThat(download.body().readAllBytes()).isEqualTo(blobs.get(big.toString()));
    }

    // 128 KiB at 256 KiB/s is 0.5 s (less a 50 ms burst); only a loose lower bound is checked
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(300));
  }

  @Test
  void tokenAuthAndRedirects_underOneConnection_allDownloadsComplete() throws Exception {
    registry = new FakeRegistry(FakeRegistry.Auth.BEARER, Optional.empty());
    byte[] content = bytes(200_000, 5);
    Digest digest = registry.putBlob(content);
    UpstreamClient client =
        new UpstreamClient(
            UpstreamConfig.of(registry.name(), registry.url())
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5))
                .withCaps(UpstreamCaps.NONE.withMaxConnections(1)));

    List<CompletableFuture<Integer>> reads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      reads.add(
          client
              .getBlob(REPO, digest)
              .thenApplyAsync(
                  download -> {
                    try (download) {
                      return download.body().readAllBytes().length;
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  },
                  executor));
    }

    for (CompletableFuture<Integer> read : reads) {
      assertThat(read.get(20, TimeUnit.SECONDS)).isEqualTo(content.length);
    }
    assertThat(registry.tokenRequests.get()).isEqualTo(1);
    assertThat(registry.cdnViolations).isEmpty();
  }
}
