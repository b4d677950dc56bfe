package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.TokenServer;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.storage.Digest;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 9: blobs and manifests were found by digest whatever repository the request named, so a
 * client that learned the digest of a private layer read it through any repository it may pull. Now
 * a repository is served only what it has: fetched or referenced through it, or confirmed by an
 * upstream HEAD in its own scope.
 */
class AttackCrossRepositoryIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private static Upstream upstream;
  private static TestImage alpine;
  private static TestImage big;
  private static TestImage shared;

  @TempDir Path work;
  private InProcessStevedore proxy;

  @BeforeAll
  static void startUpstream() throws Exception {
    upstream = Upstream.start(Files.createTempDirectory("stevedore-cross-repo-it"));
    TestImages images = new TestImages(91).layerSizes(20_000, 40_000);
    alpine = images.dockerImage();
    big = images.dockerImage();
    shared = images.ociImage();
    upstream.push("library/alpine", "3.19", alpine);
    upstream.push("library/big", "1", big);
    upstream.push("library/web", "1", shared);
    upstream.push("library/api", "1", shared);
  }

  @AfterAll
  static void stopUpstream() {
    if (upstream != null) {
      upstream.close();
    }
  }

  @BeforeEach
  void startProxy() throws Exception {
    proxy = start();
    upstream.resetCounters();
  }

  @AfterEach
  void stopProxy() {
    if (proxy != null) {
      proxy.close();
    }
  }

  /** {@code serve --upstream docker.io=URL} and {@code flags}. */
  private InProcessStevedore start(String... flags) throws Exception {
    return InProcessStevedore.on(work.resolve("data"))
        .upstream("docker.io", upstream.uri())
        .flag(flags)
        .start();
  }

  private HttpResponse<byte[]> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(proxy.uri().resolve(path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String bigLayer() {
    return big.platforms().get(0).layers().get(0).digest();
  }

  private List<String> upstreamRequests() {
    return upstream.front().requestLog();
  }

  @Test
  void layerOfAnotherRepository_isUnknownThroughAlpine_afterOneHeadInAlpinesScope()
      throws Exception {
    String layer = bigLayer();
    assertThat(get("/v2/library/big/blobs/" + layer).statusCode()).isEqualTo(200);
    upstream.resetCounters();

    HttpResponse<byte[]> stolen = get("/v2/library/alpine/blobs/" + layer);
    HttpResponse<byte[]> again = get("/v2/library/alpine/blobs/" + layer);

    assertThat(stolen.statusCode()).isEqualTo(404);
    assertThat(new String(stolen.body())).contains("BLOB_UNKNOWN");
    assertThat(again.statusCode()).isEqualTo(404);
    assertThat(upstreamRequests())
        .as(upstream::diagnostics)
        .filteredOn(line -> line.contains("/blobs/"))
        .singleElement()
        .satisfies(line -> assertThat(line).contains("HEAD /v2/library/alpine/blobs/" + layer));
    assertThat(upstream.tokens().requests())
        .extracting(TokenServer.TokenRequest::scopes)
        .containsOnly(List.of("repository:library/alpine:pull"));

    upstream.resetCounters();
    HttpResponse<byte[]> owner = get("/v2/library/big/blobs/" + layer);
    assertThat(owner.statusCode()).isEqualTo(200);
    assertThat(Digest.sha256(owner.body()).toString()).isEqualTo(layer);
    assertThat(upstreamRequests()).as("a cache hit").isEmpty();
  }

  @Test
  void manifestOfAnotherRepository_isUnknownThroughAlpine() throws Exception {
    assertThat(get("/v2/library/big/manifests/1").statusCode()).isEqualTo(200);
    upstream.resetCounters();

    HttpResponse<byte[]> stolen = get("/v2/library/alpine/manifests/" + big.digest());

    assertThat(stolen.statusCode()).isEqualTo(404);
    assertThat(new String(stolen.body())).contains("MANIFEST_UNKNOWN");
    assertThat(upstreamRequests())
        .as(upstream::diagnostics)
        .filteredOn(line -> line.contains("/manifests/"))
        .singleElement()
        .satisfies(
            line -> assertThat(line).contains("HEAD /v2/library/alpine/manifests/" + big.digest()));
    assertThat(get("/v2/library/big/manifests/" + big.digest()).statusCode()).isEqualTo(200);
  }

  @Test
  void baseLayerPushedToTwoRepositories_isServedForBoth_secondAfterOneHead() throws Exception {
    String layer = shared.platforms().get(0).layers().get(0).digest();
    assertThat(get("/v2/library/web/blobs/" + layer).statusCode()).isEqualTo(200);
    upstream.resetCounters();

    HttpResponse<byte[]> second = get("/v2/library/api/blobs/" + layer);

    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(Digest.sha256(second.body()).toString()).isEqualTo(layer);
    assertThat(upstreamRequests())
        .as(upstream::diagnostics)
        .filteredOn(line -> line.contains("/blobs/"))
        .singleElement()
        .satisfies(line -> assertThat(line).contains("HEAD /v2/library/api/blobs/" + layer));
    upstream.resetCounters();
    assertThat(get("/v2/library/api/blobs/" + layer).statusCode()).isEqualTo(200);
    assertThat(upstreamRequests()).as("served from the link").isEmpty();
  }

  @Test
  void normalPull_manifestThenBlobs_asksNothingExtra() throws Exception {
    assertThat(get("/v2/library/web/manifests/1").statusCode()).isEqualTo(200);
    for (Blob blob : shared.blobs()) {
      get("/v2/library/web/blobs/" + blob.digest());
    }
    upstream.resetCounters();

    // the same image through the other repository: its manifest is confirmed by its tag
    assertThat(get("/v2/library/api/manifests/1").statusCode()).isEqualTo(200);
    for (Blob blob : shared.blobs()) {
      HttpResponse<byte[]> response = get("/v2/library/api/blobs/" + blob.digest());
      assertThat(response.statusCode()).isEqualTo(200);
    }

    assertThat(upstreamRequests())
        .as(upstream::diagnostics)
        .noneMatch(line -> line.contains("/blobs/"));
  }

  @Test
  void allowOnlyAlpine_doesNotServeACachedLayerOfBig() throws Exception {
    String layer = bigLayer();
    assertThat(get("/v2/library/big/blobs/" + layer).statusCode()).isEqualTo(200);
    proxy.close();
    proxy = start("--allow", "docker.io/library/alpine");
    upstream.resetCounters();

    HttpResponse<byte[]> stolen = get("/v2/library/alpine/blobs/" + layer);

    assertThat(stolen.statusCode()).isEqualTo(404);
    assertThat(new String(stolen.body())).contains("BLOB_UNKNOWN");
    assertThat(stolen.body().length).isLessThan(1000);
    assertThat(get("/v2/library/big/blobs/" + layer).statusCode()).isEqualTo(403);
  }
}
