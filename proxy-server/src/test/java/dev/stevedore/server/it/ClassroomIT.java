package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.stevedore.core.testing.FakeClock;
import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.CdnFront;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.MediaTypes;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.TokenServer;
import dev.stevedore.server.it.support.Upstream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The classroom scene of issue 3: many skopeo clients pull one multi-platform image through one
 * Stevedore at the same moment, from the real CNCF registry with token auth behind a
 * Docker-Hub-like counting front whose blob downloads are redirected to a "CDN" on 127.0.0.2.
 * Upstream must see each blob downloaded once and each manifest GET once; repeat pulls must cost
 * nothing within the tag TTL and only HEADs after it; rate limits and outages must not break pulls
 * of cached tags.
 */
class ClassroomIT {
  private static final int CLASS_SIZE = 8;
  private static final int SMALL_CLASS_SIZE = 4;
  private static final String LONG_TTL = "5m";

  /** The tag TTL of the revalidation tests, and how far they move the proxy's clock past it. */
  private static final String SHORT_TTL = "1s";

  private static final Duration PAST_SHORT_TTL = Duration.ofMillis(1_200);

  /** Matches every manifest path of the front, by tag or by digest. */
  private static final String MANIFEST_PATHS = "/v2/.+/manifests/[^/]+";

  private static final Map<String, String> RETRY_AFTER = Map.of("Retry-After", "3600");
  private static final TestImages CLASSROOM_IMAGES =
      new TestImages(20240903).layerSizes(300 * 1024, 1024 * 1024);
  private static final TestImages SMALL_IMAGES =
      new TestImages(20240904).layerSizes(20 * 1024, 80 * 1024);
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

  @TempDir static Path harnessDir;
  private static Upstream upstream;

  @TempDir Path work;
  private final FakeClock clock = new FakeClock(Instant.now());
  private InProcessStevedore proxy;
  private URI proxyUri;

  @BeforeAll
  static void startUpstream() {
    upstream = Upstream.start(harnessDir.resolve("upstream"));
  }

  @AfterAll
  static void stopUpstream() {
    if (upstream != null) {
      upstream.close();
    }
  }

  @BeforeEach
  void resetUpstream() {
    upstream.resetCounters();
  }

  @AfterEach
  void stopProxyAndRestoreUpstream() {
    if (proxy != null) {
      proxy.close();
    }
    if (!upstream.registry().isRunning()) {
      upstream.registry().start();
    }
    upstream.resetCounters();
  }

  /** One multi-platform format a class pulls cold, all at once. */
  private record ColdWave(
      String format, Supplier<TestImage> image, String repository, int clients) {
    @Override
    public String toString() {
      return format + ", " + clients + " clients";
    }
  }

  static Stream<ColdWave> coldWaves() {
    return Stream.of(
        new ColdWave("OCI index", CLASSROOM_IMAGES::ociIndex, "classroom/oci", CLASS_SIZE),
        new ColdWave(
            "Docker manifest list",
            CLASSROOM_IMAGES::dockerManifestList,
            "classroom/docker",
            SMALL_CLASS_SIZE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("coldWaves")
  void concurrentColdPulls_fetchEveryBlobOnceAndEveryManifestOnce(ColdWave cold) throws Exception {
    TestImage image = cold.image().get();
    upstream.push(cold.repository(), "lesson-1", image);
    startProxy(LONG_TTL);

    long started = System.nanoTime();
    List<Path> pulled = wave(cold.clients(), cold.repository(), "lesson-1");
    report(cold.format() + " cold wave", cold.clients(), image, started);

    pulled.forEach(dir -> assertPulledIntact(dir, image));
    assertEachManifestAndBlobFetchedOnce(cold.repository(), image);
  }

  @Test
  void secondWave_withinTtl_makesNoCountedUpstreamRequests() throws Exception {
    TestImage image = SMALL_IMAGES.ociIndex();
    upstream.push("classroom/second-wave", "lesson-2", image);
    startProxy(LONG_TTL);
    wave(SMALL_CLASS_SIZE, "classroom/second-wave", "lesson-2");
    upstream.resetCounters();

    long started = System.nanoTime();
    List<Path> pulled = wave(CLASS_SIZE, "classroom/second-wave", "lesson-2");
    report("second wave within the TTL", CLASS_SIZE, image, started);

    pulled.forEach(dir -> assertPulledIntact(dir, image));
    CdnFront front = upstream.front();
    assertThat(front.manifestGets()).as(ClassroomIT::diagnostics).isZero();
    assertThat(front.manifestHeads()).as(ClassroomIT::diagnostics).isZero();
    assertThat(front.blobRedirects()).as(ClassroomIT::diagnostics).isZero();
    assertThat(front.cdnRequests()).as(ClassroomIT::diagnostics).isZero();
    assertThat(front.requestLog()).as("no upstream request at all within the TTL").isEmpty();
    assertThat(upstream.tokens().requestCount()).as(ClassroomIT::diagnostics).isZero();
  }

  @Test
  void afterTtl_revalidatesWithHeadOnly() throws Exception {
    TestImage image = SMALL_IMAGES.ociIndex();
    cachedPastShortTtl("classroom/revalidate", "lesson-3", image);

    List<Path> pulled = wave(SMALL_CLASS_SIZE, "classroom/revalidate", "lesson-3");

    pulled.forEach(dir -> assertPulledIntact(dir, image));
    CdnFront front = upstream.front();
    assertThat(front.manifestGets()).as(ClassroomIT::diagnostics).isZero();
    assertThat(front.manifestHeads()).as(ClassroomIT::diagnostics).isPositive();
    assertThat(front.cdnRequests()).as(ClassroomIT::diagnostics).isZero();
    assertThat(front.blobRedirects()).as(ClassroomIT::diagnostics).isZero();
    System.out.printf(
        "[ClassroomIT] revalidation after the TTL: %d clients, %d manifest HEADs, %d GETs%n",
        SMALL_CLASS_SIZE, front.manifestHeads(), front.manifestGets());
  }

  @Test
  void upstreamRateLimitsManifestGets_pullByTagStillSucceeds() throws Exception {
    TestImage image = SMALL_IMAGES.ociIndex();
    cachedPastShortTtl("classroom/get-limited", "lesson-4", image);
    upstream.front().failTimes("GET", MANIFEST_PATHS, 1_000, 429, RETRY_AFTER);

    Path pulled = pull("classroom/get-limited", "lesson-4");

    assertPulledIntact(pulled, image);
    assertThat(upstream.front().manifestHeads()).as(ClassroomIT::diagnostics).isPositive();
    assertThat(upstream.front().manifestGets())
        .as(() -> "an unchanged tag is confirmed with HEAD, not a metered GET\n" + diagnostics())
        .isZero();
    assertThat(getManifest("classroom/get-limited", "lesson-4").headers().firstValue("Warning"))
        .as("a tag confirmed by HEAD is not stale")
        .isEmpty();
  }

  @Test
  void upstreamRateLimitsManifestGets_tagMovedUpstream_servesCachedImageStale() throws Exception {
    TestImage cached = SMALL_IMAGES.ociIndex();
    TestImage moved = SMALL_IMAGES.ociIndex();
    cachedPastShortTtl("classroom/moved", "lesson-5", cached);
    upstream.push("classroom/moved", "lesson-5", moved);
    upstream.resetCounters();
    upstream.front().failTimes("GET", MANIFEST_PATHS, 1_000, 429, RETRY_AFTER);

    Path pulled = pull("classroom/moved", "lesson-5");

    assertPulledIntact(pulled, cached);
    assertThat(upstream.front().injectedFailures())
        .as(() -> "the new manifest was asked for and refused\n" + diagnostics())
        .isPositive();
    assertServedStale("classroom/moved", "lesson-5", cached);
  }

  @Test
  void upstreamRateLimitsManifestHeadsAndGets_pullByTagServedStale() throws Exception {
    TestImage image = SMALL_IMAGES.ociIndex();
    cachedPastShortTtl("classroom/all-limited", "lesson-6", image);
    upstream.front().failTimes(MANIFEST_PATHS, 1_000, 429, RETRY_AFTER);

    List<Path> pulled = wave(SMALL_CLASS_SIZE, "classroom/all-limited", "lesson-6");

    pulled.forEach(dir -> assertPulledIntact(dir, image));
    assertThat(upstream.front().manifestHeads()).as(ClassroomIT::diagnostics).isPositive();
    assertThat(upstream.front().injectedFailures()).as(ClassroomIT::diagnostics).isPositive();
    assertThat(upstream.front().manifestGets()).as(ClassroomIT::diagnostics).isZero();
    assertServedStale("classroom/all-limited", "lesson-6", image);
  }

  @Test
  void upstreamStopped_pullByTagStillSucceeds() throws Exception {
    TestImage image = SMALL_IMAGES.dockerManifestList();
    cachedPastShortTtl("classroom/outage", "lesson-7", image);
    upstream.registry().stop();

    List<Path> pulled = wave(SMALL_CLASS_SIZE, "classroom/outage", "lesson-7");

    pulled.forEach(dir -> assertPulledIntact(dir, image));
    assertServedStale("classroom/outage", "lesson-7", image);
    assertThat(upstream.front().cdnRequests()).as(ClassroomIT::diagnostics).isZero();
  }

  @Test
  void upstreamUnreachable_proxyRestartedOnItsCache_pullByTagStillSucceeds() throws Exception {
    TestImage image = SMALL_IMAGES.ociIndex();
    upstream.push("classroom/offline", "lesson-8", image);
    startProxy(SHORT_TTL);
    pull("classroom/offline", "lesson-8");
    proxy.close();
    proxy = null;
    clock.advance(PAST_SHORT_TTL);

    startProxy(SHORT_TTL, URI.create("http://127.0.0.1:" + closedPort()));
    Path pulled = pull("classroom/offline", "lesson-8");

    assertPulledIntact(pulled, image);
    assertServedStale("classroom/offline", "lesson-8", image);
  }

  /**
   * {@code image} pushed as {@code repository:tag}, pulled once through a proxy with the short TTL,
   * its clock moved past that TTL, the upstream's counters reset: the cache holds the tag, and the
   * next pull must ask upstream whether it is still current.
   */
  private void cachedPastShortTtl(String repository, String tag, TestImage image) throws Exception {
    upstream.push(repository, tag, image);
    startProxy(SHORT_TTL);
    pull(repository, tag);
    clock.advance(PAST_SHORT_TTL);
    upstream.resetCounters();
  }

  private void startProxy(String tagTtl) throws Exception {
    startProxy(tagTtl, upstream.uri());
  }

  /**
   * Stevedore on an ephemeral port, its cache in {@code work/data}, docker.io = {@code hub}, its
   * tag TTLs timed by the test's clock.
   */
  private void startProxy(String tagTtl, URI hub) throws Exception {
    proxy =
        InProcessStevedore.on(work.resolve("data"))
            .upstream("docker.io", hub)
            .tagTtl(tagTtl)
            .clock(clock)
            .start();
    proxyUri = proxy.uri();
  }

  /** One {@code skopeo copy --all} by a client with its own home, temp and destination dirs. */
  private Path pull(String repository, String reference) throws IOException {
    Path clientDir =
        Files.createDirectories(work.resolve("client-" + CLIENT_IDS.incrementAndGet()));
    Path destination = clientDir.resolve("image");
    new Skopeo(clientDir)
        .copyAll(Skopeo.dockerRef(proxyUri, repository, reference), destination)
        .requireSuccess();
    return destination;
  }

  /** {@code clients} concurrent pulls, released together; every one must succeed. */
  private List<Path> wave(int clients, String repository, String reference) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Path>> pulls = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        pulls.add(
            pool.submit(
                () -> {
                  go.await();
                  return pull(repository, reference);
                }));
      }
      go.countDown();
      List<Path> pulled = new ArrayList<>();
      for (Future<Path> pull : pulls) {
        try {
          pulled.add(pull.get(3, TimeUnit.MINUTES));
        } catch (ExecutionException e) {
          throw new AssertionError(
              "a client of the wave failed: " + e.getCause().getMessage() + "\n" + diagnostics(),
              e.getCause());
        }
      }
      return pulled;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The front's counters after a cold wave: the tag GET once (it also stores the index, so the
   * index is never fetched again by digest), each child manifest GET once by digest, each blob
   * redirected and downloaded from the CDN once, and one token for the one repository scope.
   *
   * <p>One token, exactly: Stevedore asks once per scope per token lifetime, concurrent requests
   * share that one fetch, and the token server's tokens live 300 s (cached 270 s), longer than a
   * wave may take (each pull is given 3 minutes).
   */
  private void assertEachManifestAndBlobFetchedOnce(String repository, TestImage image) {
    CdnFront front = upstream.front();
    int distinctManifests = 1 + image.childManifests().size();
    int distinctBlobs = image.blobs().size();
    assertThat(front.manifestGets())
        .as(() -> "manifest GETs = distinct manifests (index + children)\n" + diagnostics())
        .isEqualTo(distinctManifests);
    assertThat(front.blobRedirects()).as(ClassroomIT::diagnostics).isEqualTo(distinctBlobs);
    assertThat(front.cdnRequests()).as(ClassroomIT::diagnostics).isEqualTo(distinctBlobs);
    assertThat(front.cdnBytes())
        .as(() -> "bytes from the CDN = the image's blob bytes\n" + diagnostics())
        .isEqualTo(image.blobBytes());
    assertThat(front.authorizationViolations()).isEmpty();
    assertThat(upstream.tokens().requests())
        .as(ClassroomIT::diagnostics)
        .extracting(TokenServer.TokenRequest::scopes, TokenServer.TokenRequest::status)
        .containsExactly(tuple(List.of("repository:" + repository + ":pull"), 200));
  }

  /** The top-level manifest, every child manifest and every blob arrived byte for byte. */
  private static void assertPulledIntact(Path dir, TestImage image) {
    assertThat(sha256(dir.resolve("manifest.json")))
        .as("top-level manifest pulled into " + dir)
        .isEqualTo(image.digest());
    for (Blob child : image.childManifests()) {
      assertThat(sha256(dir.resolve(hex(child) + ".manifest.json"))).isEqualTo(child.digest());
    }
    for (Blob blob : image.blobs()) {
      assertThat(sha256(dir.resolve(hex(blob)))).isEqualTo(blob.digest());
    }
  }

  /** A manifest GET by tag through Stevedore now answers the cached manifest, marked stale. */
  private void assertServedStale(String repository, String tag, TestImage image) throws Exception {
    HttpResponse<byte[]> response = getManifest(repository, tag);
    assertThat(response.statusCode()).as(ClassroomIT::diagnostics).isEqualTo(200);
    assertThat(Blob.sha256(response.body())).isEqualTo(image.digest());
    assertThat(response.headers().firstValue("Docker-Content-Digest")).contains(image.digest());
    assertThat(response.headers().firstValue("Warning"))
        .as("a stale answer says so")
        .hasValueSatisfying(warning -> assertThat(warning).startsWith("110 "));
  }

  /** {@code GET /v2/REPOSITORY/manifests/REFERENCE} through Stevedore, accepting every type. */
  private HttpResponse<byte[]> getManifest(String repository, String reference) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(proxyUri.resolve("/v2/" + repository + "/manifests/" + reference))
            .header("Accept", MediaTypes.ALL_MANIFESTS)
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  private void report(String what, int clients, TestImage image, long startedNanos) {
    CdnFront front = upstream.front();
    System.out.printf(
        "[ClassroomIT] %s: %d clients in %d ms; image blobs %d (%d bytes), CDN %d requests"
            + " %d bytes (%.3fx), manifest GETs %d HEADs %d, token requests %d%n",
        what,
        clients,
        Duration.ofNanos(System.nanoTime() - startedNanos).toMillis(),
        image.blobs().size(),
        image.blobBytes(),
        front.cdnRequests(),
        front.cdnBytes(),
        front.cdnBytes() / (double) image.blobBytes(),
        front.manifestGets(),
        front.manifestHeads(),
        upstream.tokens().requestCount());
  }

  /** A loopback port nothing listens on (connection refused). */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  private static String diagnostics() {
    return upstream.diagnostics();
  }

  private static String hex(Blob blob) {
    return blob.digest().substring("sha256:".length());
  }

  private static String sha256(Path file) {
    try {
      return Blob.sha256(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }
}
