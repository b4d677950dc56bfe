package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.cache.BlobFetch;
import dev.stevedore.core.cache.BlobService;
import dev.stevedore.core.cache.BlobSource;
import dev.stevedore.core.metrics.CacheMetrics;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.testing.FakeTicker;
import dev.stevedore.server.CacheServices;
import dev.stevedore.server.TimeSource;
import dev.stevedore.server.config.ServeSettings;
import dev.stevedore.server.config.ServeSettingsResolver;
import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.CdnStreamFaults;
import dev.stevedore.server.it.support.DataDirInspector;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.ProcessResult;
import dev.stevedore.server.it.support.RawBlobClient;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.storage.BlobInfo;
import dev.stevedore.storage.BlobReader;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.EvictionListener;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7, integrity under faults, against the real CNCF registry behind the Docker-Hub-like front
 * whose CDN can corrupt, stall and throttle blob bodies: a blob whose bytes do not match its digest
 * is never cached nor delivered whole; an upstream that stalls mid-body is abandoned and the next
 * request refetches; a client that hangs up mid-download does not cancel the shared download.
 */
class IntegrityIT {
  private static final int MIB = 1024 * 1024;
  private static final Pattern MISMATCH_SAMPLE =
      Pattern.compile(
          "^stevedore_upstream_digest_mismatches_total(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Upstream upstream;
  private static Path harnessDir;

  @TempDir Path work;
  private InProcessStevedore proxy;

  @BeforeAll
  static void startUpstream() throws IOException {
    harnessDir = Files.createTempDirectory("stevedore-integrity-it");
    upstream = Upstream.start(harnessDir);
  }

  @AfterAll
  static void stopUpstream() throws IOException {
    if (upstream != null) {
      upstream.close();
    }
    try (Stream<Path> files = Files.walk(harnessDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  @AfterEach
  void stopProxy() {
    if (proxy != null) {
      proxy.close();
    }
    upstream.resetCounters();
  }

  private URI startProxy() throws Exception {
    proxy =
        InProcessStevedore.on(work.resolve("data")).upstream("docker.io", upstream.uri()).start();
    return proxy.uri();
  }

  /** A single-platform image with one layer of about {@code layerBytes}, pushed upstream. */
  private static TestImage pushImage(long seed, String repository, int layerBytes) {
    TestImage image =
        new TestImages(seed).layersPerPlatform(1).layerSizes(layerBytes, layerBytes).dockerImage();
    upstream.push(repository, "1", image);
    return image;
  }

  private static Blob layerOf(TestImage image) {
    return image.platforms().get(0).layers().get(0);
  }

  @Test
  void upstreamFlipsAByte_responseAbortedNothingCachedCounted_thenCleanUpstreamSucceeds()
      throws Exception {
    TestImage image = pushImage(71, "library/flipped", 3 * MIB);
    Blob layer = layerOf(image);
    CdnStreamFaults cdn = upstream.front().streamFaults();
    cdn.corrupt(layer.digest(), layer.size() / 2);
    URI proxyUri = startProxy();
    DataDirInspector dataDir = new DataDirInspector(work.resolve("data"));

    // A client reading the blob: it gets 200 and the length, but never the whole body.
    BlobRead direct = readBlob(proxyUri, "flipped", layer.digest());
    assertThat(direct.status()).isEqualTo(200);
    assertThat(direct.contentLength()).hasValue(layer.size());
    assertThat(direct.failure()).as("the response was cut off").isNotNull();
    assertThat(direct.bytes()).isLessThan(layer.size());

    // skopeo fails too, and nothing of the wrong bytes stays anywhere in the data directory.
    Skopeo skopeo = new Skopeo(work).withTimeout(Duration.ofSeconds(60));
    ProcessResult corrupted =
        skopeo.copyAll(Skopeo.dockerRef(proxyUri, "flipped", "1"), work.resolve("corrupted"));
    assertThat(corrupted.succeeded()).as(corrupted.output()).isFalse();
    assertThat(dataDir.hasBlob(layer.digest())).isFalse();
    assertThat(dataDir.partialDownloadsOf(layer.digest())).isEmpty();
    assertThat(dataDir.blobProblems()).isEmpty();
    int flips = cdn.corruptedResponses();
    assertThat(flips).isGreaterThanOrEqualTo(2);
    awaitTrue(() -> digestMismatches(proxyUri) >= flips, "the mismatch counter reaches " + flips);
    assertThat(digestMismatches(proxyUri)).isEqualTo(flips);

    // The upstream heals: the same proxy now pulls and caches the right bytes.
    cdn.stopCorrupting();
    Path pulled = work.resolve("pulled");
    skopeo.copyAll(Skopeo.dockerRef(proxyUri, "flipped", "1"), pulled).requireSuccess();
    Path layerFile = pulled.resolve(layer.digest().substring("sha256:".length()));
    assertThat(Files.readAllBytes(layerFile)).isEqualTo(layer.bytes());
    assertThat(dataDir.hasBlob(layer.digest())).isTrue();
    assertThat(dataDir.blobProblems()).isEmpty();
    assertThat(cdn.corruptedResponses()).isEqualTo(flips);
  }

  /**
   * The stall case through the server's own housekeeping: the cache is opened as {@code serve}
   * opens it, but with a fake ticker timing its downloads, so "not stalled long enough yet" and
   * "stalled past the timeout" are certain states rather than races against a real clock; the
   * abandonment itself is done by the housekeeping's scheduled stall check.
   */
  @Test
  void
      upstreamStallsMidBody_abandonedByHousekeepingAfterStallTimeout_waitersFailNothingCached_nextOpenRefetches()
          throws Exception {
    TestImage image = pushImage(72, "library/stalled", 4 * MIB);
    Blob layer = layerOf(image);
    Digest digest = Digest.parse(layer.digest());
    RepositoryName repository = RepositoryName.parse("library/stalled");
    CdnStreamFaults cdn = upstream.front().streamFaults();
    cdn.stall(layer.digest(), MIB);
    Path data = work.resolve("stall-data");
    DataDirInspector dataDir = new DataDirInspector(data);
    FakeTicker now = new FakeTicker();
    Duration stallTimeout = BlobService.DEFAULT_STALL_TIMEOUT;
    try (CacheServices cache =
        CacheServices.openWithBudget(
            serveSettings(data),
            CacheMetrics.NONE,
            EvictionListener.NONE,
            new TimeSource(Clock.systemUTC(), now))) {
      BlobService blobs = cache.blobs();
      dev.stevedore.core.upstream.Upstream client = cache.upstreams().defaultUpstream();

      BlobSource source = blobs.open(client, repository, digest).get(30, TimeUnit.SECONDS);
      assertThat(source).isInstanceOf(BlobFetch.class);
      BlobFetch fetch = (BlobFetch) source;
      awaitTrue(() -> fetch.available() == MIB, "the bytes before the stall arrive");
      assertThat(cdn.stalledResponses()).isEqualTo(1);
      BlobReader follower = fetch.openReader();
      CompletableFuture<Void> reader =
          follower.awaitReadable(follower.readable()).toCompletableFuture();
      BlobSource joined = blobs.open(client, repository, digest).get(10, TimeUnit.SECONDS);
      assertThat(joined).as("a second request joins the running fetch").isSameAs(fetch);

      // silent for just under the stall timeout (and within the first minimum-rate window)
      now.advance(stallTimeout.minusSeconds(1));
      cache.checkStallsNow().get(10, TimeUnit.SECONDS);
      assertThat(fetch.done()).as("not stalled for the stall timeout yet").isNotDone();
      assertThat(reader).isNotDone();

      // past it: the housekeeping's own scheduled check (every few seconds) abandons the fetch
      now.advance(Duration.ofSeconds(2));
      Throwable failure = fetch.done().handle((info, error) -> error).get(30, TimeUnit.SECONDS);
      assertThat(failure).isInstanceOf(IOException.class).hasMessageContaining("stalled");
      reader.get(5, TimeUnit.SECONDS);
      assertThat(follower.failed()).as("the waiting reader learns of the failure").isTrue();
      follower.close();
      assertThat(fetch.available()).isEqualTo(MIB);
      assertThat(blobs.inFlightCount()).isZero();
      assertThat(cache.blobStore().stat(digest)).isEmpty();
      assertThat(dataDir.hasBlob(layer.digest())).isFalse();
      assertThat(dataDir.partialDownloadsOf(layer.digest())).isEmpty();

      // The upstream recovers: the next open is a fresh fetch that verifies and commits.
      cdn.releaseStalls();
      BlobSource retried = blobs.open(client, repository, digest).get(30, TimeUnit.SECONDS);
      assertThat(retried).isInstanceOf(BlobFetch.class).isNotSameAs(fetch);
      BlobInfo committed = ((BlobFetch) retried).done().get(30, TimeUnit.SECONDS);
      assertThat(committed.size()).isEqualTo(layer.size());
      assertThat("sha256:" + DataDirInspector.sha256Hex(dataDir.blob(layer.digest())))
          .isEqualTo(layer.digest());
      assertThat(dataDir.blobProblems()).isEmpty();
      assertThat(upstream.front().cdnRequests()).isEqualTo(2);
    } finally {
      cdn.releaseStalls();
    }
  }

  /**
   * The stall case end to end, through the running server: a client pulls while the CDN stalls
   * mid-body; the server runs on the test's ticker, so once the test moves it past the stall
   * timeout the housekeeping's own scheduled check abandons the download, the client's response is
   * cut short, nothing is kept, and the next pull fetches afresh.
   */
  @Test
  void upstreamStallsMidBody_serverTickerPastStallTimeout_clientCutOff_nextPullRefetches()
      throws Exception {
    TestImage image = pushImage(75, "library/stalled-served", 4 * MIB);
    Blob layer = layerOf(image);
    CdnStreamFaults cdn = upstream.front().streamFaults();
    FakeTicker ticker = new FakeTicker();
    proxy =
        InProcessStevedore.on(work.resolve("data"))
            .upstream("docker.io", upstream.uri())
            .ticker(ticker)
            .start();
    URI proxyUri = proxy.uri();
    upstream.resetCounters();
    DataDirInspector dataDir = new DataDirInspector(work.resolve("data"));
    cdn.stall(layer.digest(), MIB);
    try {
      CompletableFuture<BlobRead> stalled =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return readBlob(proxyUri, "stalled-served", layer.digest());
                } catch (IOException | InterruptedException e) {
                  throw new AssertionError(e);
                }
              });
      awaitTrue(() -> cdn.stalledResponses() == 1, "the CDN holds the body at 1 MiB");

      ticker.advance(BlobService.DEFAULT_STALL_TIMEOUT.plusSeconds(1));

      BlobRead cut = stalled.get(30, TimeUnit.SECONDS);
      assertThat(cut.status()).isEqualTo(200);
      assertThat(cut.failure()).as("the response was cut off").isNotNull();
      assertThat(cut.bytes()).isLessThan(layer.size());
      awaitTrue(
          () -> dataDir.partialDownloadsOf(layer.digest()).isEmpty(),
          "the abandoned download's partial file is removed");
      assertThat(dataDir.hasBlob(layer.digest())).isFalse();
    } finally {
      cdn.releaseStalls();
    }

    BlobRead again = readBlob(proxyUri, "stalled-served", layer.digest());
    assertThat(again.failure()).isNull();
    assertThat(again.bytes()).isEqualTo(layer.size());
    assertThat(dataDir.hasBlob(layer.digest())).isTrue();
    assertThat(dataDir.blobProblems()).isEmpty();
    assertThat(upstream.front().cdnRequests()).isEqualTo(2);
  }

  /** The settings {@code serve --data DATA --upstream docker.io=UPSTREAM} resolves to. */
  private static ServeSettings serveSettings(Path data) {
    return ServeSettingsResolver.resolve(
        new ServeSettingsResolver.Flags(
            Optional.empty(),
            Optional.of("127.0.0.1:0"),
            Optional.of(data),
            List.of("docker.io=" + upstream.uri()),
            Optional.empty(),
            Optional.empty(),
            false,
            Optional.empty(),
            Optional.empty()),
        Map.of());
  }

  /**
   * The CDN holds the body after {@code HELD_AT} bytes until released, so "the download is still
   * running when the client hangs up" is a certain state, not a race against the transfer.
   */
  private static final long HELD_AT = 2L * MIB;

  @Test
  void clientHangsUpMidDownload_sharedFetchGoesOn_otherClientGetsWholeBlob_fetchedOnce()
      throws Exception {
    TestImage image = pushImage(73, "library/shared", 4 * MIB);
    Blob layer = layerOf(image);
    URI proxyUri = startProxy();
    upstream.resetCounters();
    CdnStreamFaults cdn = upstream.front().streamFaults();
    cdn.stall(layer.digest(), HELD_AT);

    try (RawBlobClient first = RawBlobClient.get(proxyUri, "shared", layer.digest())) {
      assertThat(first.status()).isEqualTo(200);
      first.readAtLeast(256 * 1024);
      awaitTrue(() -> cdn.stalledResponses() == 1, "the CDN holds the body at " + HELD_AT);

      HttpResponse<InputStream> second =
          HTTP.send(
              blobRequest(proxyUri, "shared", layer.digest()),
              HttpResponse.BodyHandlers.ofInputStream());
      assertThat(second.statusCode()).isEqualTo(200);
      first.abort();
      assertThat(cdn.stalledResponses()).as("still downloading: held by the CDN").isEqualTo(1);
      cdn.releaseStalls();

      byte[] whole;
      try (InputStream body = second.body()) {
        whole = body.readAllBytes();
      }
      assertThat(first.bodyBytes()).isBetween(256L * 1024, HELD_AT);
      assertThat(whole).isEqualTo(layer.bytes());
    }
    assertThat(upstream.front().cdnRequests()).isEqualTo(1);
    awaitTrue(() -> upstream.front().cdnBytes() == layer.size(), "the CDN sent the blob once");
    DataDirInspector dataDir = new DataDirInspector(work.resolve("data"));
    assertThat(dataDir.hasBlob(layer.digest())).isTrue();
    assertThat(dataDir.blobProblems()).isEmpty();

    BlobRead again = readBlob(proxyUri, "shared", layer.digest());
    assertThat(again.failure()).isNull();
    assertThat(again.bytes()).isEqualTo(layer.size());
    assertThat(upstream.front().cdnRequests()).isEqualTo(1);
  }

  @Test
  void onlyClientHangsUpMidDownload_fetchStillCompletesAndIsCached() throws Exception {
    TestImage image = pushImage(74, "library/orphan", 3 * MIB);
    Blob layer = layerOf(image);
    URI proxyUri = startProxy();
    upstream.resetCounters();
    CdnStreamFaults cdn = upstream.front().streamFaults();
    cdn.stall(layer.digest(), HELD_AT);
    DataDirInspector dataDir = new DataDirInspector(work.resolve("data"));

    try (RawBlobClient only = RawBlobClient.get(proxyUri, "orphan", layer.digest())) {
      assertThat(only.status()).isEqualTo(200);
      only.readAtLeast(256 * 1024);
      awaitTrue(() -> cdn.stalledResponses() == 1, "the CDN holds the body at " + HELD_AT);
      only.abort();
    }
    assertThat(cdn.stalledResponses()).as("still downloading: held by the CDN").isEqualTo(1);
    assertThat(dataDir.hasBlob(layer.digest())).isFalse();
    cdn.releaseStalls();

    awaitTrue(() -> dataDir.hasBlob(layer.digest()), "the abandoned download is committed");
    assertThat(dataDir.blobProblems()).isEmpty();
    assertThat(upstream.front().cdnRequests()).isEqualTo(1);
    assertThat(upstream.front().cdnBytes()).isEqualTo(layer.size());
    BlobRead cached = readBlob(proxyUri, "orphan", layer.digest());
    assertThat(cached.failure()).isNull();
    assertThat(cached.bytes()).isEqualTo(layer.size());
    assertThat(upstream.front().cdnRequests()).isEqualTo(1);
  }

  /** Status, announced length, bytes received, and the error that cut the body off (or null). */
  private record BlobRead(
      int status, OptionalLong contentLength, long bytes, IOException failure) {}

  private static HttpRequest blobRequest(URI proxyUri, String repository, String digest) {
    return HttpRequest.newBuilder(proxyUri.resolve("/v2/" + repository + "/blobs/" + digest))
        .timeout(Duration.ofSeconds(30))
        .build();
  }

  private static BlobRead readBlob(URI proxyUri, String repository, String digest)
      throws IOException, InterruptedException {
    HttpResponse<InputStream> response =
        HTTP.send(
            blobRequest(proxyUri, repository, digest), HttpResponse.BodyHandlers.ofInputStream());
    OptionalLong length = response.headers().firstValueAsLong("Content-Length");
    long bytes = 0;
    IOException failure = null;
    try (InputStream body = response.body()) {
      byte[] buffer = new byte[64 * 1024];
      for (int read; (read = body.read(buffer)) >= 0; ) {
        bytes += read;
      }
    } catch (IOException e) {
      failure = e;
    }
    return new BlobRead(response.statusCode(), length, bytes, failure);
  }

  /** The sum of the {@code stevedore_upstream_digest_mismatches_total} samples on /metrics. */
  private static double digestMismatches(URI proxyUri) {
    try {
      String exposition =
          HTTP.send(
                  HttpRequest.newBuilder(proxyUri.resolve("/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      double sum = 0;
      Matcher sample = MISMATCH_SAMPLE.matcher(exposition);
      while (sample.find()) {
        sum += Double.parseDouble(sample.group(2));
      }
      return sum;
    } catch (IOException e) {
      throw new AssertionError("cannot read /metrics", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void awaitTrue(BooleanSupplier condition, String what)
      throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(15);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting until " + what + "\n" + upstream.diagnostics());
      }
      Thread.sleep(100);
    }
  }
}
