package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.MediaTypes;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.TokenServer;
import dev.stevedore.server.it.support.Upstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Self-test of the emulated upstream (token server, real registry, Docker-Hub-like CDN front). */
class UpstreamHarnessIT {
  @TempDir static Path workDir;

  private static Upstream upstream;
  private static Skopeo skopeo;
  private static final TestImages IMAGES = new TestImages(42);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void startUpstream() {
    upstream = Upstream.start(workDir.resolve("upstream"));
    skopeo = new Skopeo(workDir);
  }

  @AfterAll
  static void stopUpstream() {
    if (upstream != null) {
      upstream.close();
    }
  }

  @BeforeEach
  void resetCounters() {
    upstream.resetCounters();
  }

  @Test
  void skopeoCopiesAnOciIndexThroughTheCdnRedirectAnonymously() throws IOException {
    TestImage image = IMAGES.ociIndex();
    upstream.push("library/oci-multi", "v1", image);

    Path destination = workDir.resolve("copy-oci");
    skopeo
        .copyAll(Skopeo.dockerRef(upstream.uri(), "library/oci-multi", "v1"), destination)
        .requireSuccess();

    assertCopied(image, destination);
    assertPulledAnonymouslyViaTheCdn(image);
  }

  @Test
  void skopeoCopiesADockerManifestListThroughTheCdnRedirectAnonymously() throws IOException {
    TestImage image = IMAGES.dockerManifestList();
    upstream.push("team/docker-multi", "latest", image);

    Path destination = workDir.resolve("copy-docker");
    skopeo
        .copyAll(Skopeo.dockerRef(upstream.uri(), "team/docker-multi", "latest"), destination)
        .requireSuccess();

    assertCopied(image, destination);
    assertPulledAnonymouslyViaTheCdn(image);
  }

  @Test
  void theTestAccountPullsWithItsCredentials() {
    TestImage image = IMAGES.dockerImage();
    upstream.push("private/single", "1.0", image);

    String raw =
        skopeo
            .withSourceCredentials(upstream.tokens().credentials())
            .inspectRaw(Skopeo.dockerRef(upstream.uri(), "private/single", "1.0"))
            .requireSuccess()
            .output();

    assertThat(raw.trim()).isEqualTo(new String(image.manifest().bytes(), StandardCharsets.UTF_8));
    assertThat(upstream.tokens().identities()).isNotEmpty().containsOnly("tester");
  }

  @Test
  void anImageSurvivesARegistryRestartOnTheSamePort() throws IOException {
    TestImage image = IMAGES.dockerImage();
    upstream.push("library/restart", "v1", image);
    int port = upstream.registry().port();

    upstream.registry().stop();
    assertThat(upstream.registry().isRunning()).isFalse();
    HttpResponse<String> whileDown = get(upstream.uri().resolve("/v2/"), Map.of());
    assertThat(whileDown.statusCode()).isEqualTo(502);
    upstream.registry().start();

    assertThat(upstream.registry().port()).isEqualTo(port);
    Path destination = workDir.resolve("copy-restart");
    skopeo
        .copyAll(Skopeo.dockerRef(upstream.uri(), "library/restart", "v1"), destination)
        .requireSuccess();
    assertCopied(image, destination);
  }

  @Test
  void theTokenServerGrantsPushOnlyToTheTestAccountAndRejectsWrongPasswords() {
    URI scoped =
        URI.create(
            upstream.tokens().realm()
                + "?service="
                + TokenServer.SERVICE
                + "&scope=repository:a/b:pull,push");

    String anonymous = get(scoped, Map.of()).body();
    String tester = get(scoped, Map.of("Authorization", basic("tester", "s3cret"))).body();
    int wrong = get(scoped, Map.of("Authorization", basic("tester", "nope"))).statusCode();

    assertThat(accessClaim(anonymous)).contains("\"actions\":[\"pull\"]");
    assertThat(accessClaim(tester)).contains("\"actions\":[\"pull\",\"push\"]");
    assertThat(wrong).isEqualTo(401);
    assertThat(upstream.tokens().identities()).containsExactly("anonymous", "tester", "tester");
    assertThat(upstream.tokens().requestCount()).isEqualTo(3);
  }

  @Test
  void tokensCanBeMadeToExpireExactlyForTheRegistry() throws InterruptedException {
    TestImage image = IMAGES.ociImage();
    upstream.push("library/expiry", "v1", image);
    URI manifest = upstream.uri().resolve("/v2/library/expiry/manifests/v1");
    upstream.tokens().setExpiresInSeconds(1);
    upstream.tokens().setCompensateRegistryLeeway(true);
    try {
      String token = upstream.tokens().mintToken("library/expiry", "pull");
      Map<String, String> headers =
          Map.of("Authorization", "Bearer " + token, "Accept", MediaTypes.ALL_MANIFESTS);
      assertThat(get(manifest, headers).statusCode()).isEqualTo(200);
      Thread.sleep(2_500);
      HttpResponse<String> expired = get(manifest, headers);
      assertThat(expired.statusCode()).isEqualTo(401);
      assertThat(expired.headers().firstValue("WWW-Authenticate").orElseThrow())
          .contains("error=\"invalid_token\"");
    } finally {
      upstream.tokens().setExpiresInSeconds(300);
      upstream.tokens().setCompensateRegistryLeeway(false);
    }
  }

  @Test
  void theFrontKeepsHeadersOnHeadAndInjectsFailures() {
    TestImage image = IMAGES.ociImage();
    upstream.push("library/head", "v1", image);
    String token = upstream.tokens().mintToken("library/head", "pull");
    URI manifest = upstream.uri().resolve("/v2/library/head/manifests/v1");
    Map<String, String> headers =
        Map.of("Authorization", "Bearer " + token, "Accept", MediaTypes.ALL_MANIFESTS);

    HttpResponse<String> head = send(HttpRequest.newBuilder(manifest), "HEAD", headers);
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Content-Length"))
        .contains(Long.toString(image.manifest().size()));
    assertThat(head.headers().firstValue("Docker-Content-Digest")).contains(image.digest());
    assertThat(head.headers().firstValue("Content-Type")).contains(MediaTypes.OCI_MANIFEST);
    HttpResponse<String> ping = get(upstream.uri().resolve("/v2/"), Map.of());
    assertThat(ping.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(value -> assertThat(value).startsWith("Bearer realm="));

    upstream.front().failNext("/v2/.+/manifests/.+", 429, Map.of("Retry-After", "7"));
    HttpResponse<String> limited = get(manifest, headers);
    HttpResponse<String> after = get(manifest, headers);

    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).contains("7");
    assertThat(limited.body()).contains("TOOMANYREQUESTS");
    assertThat(after.statusCode()).isEqualTo(200);
    assertThat(after.body().getBytes(StandardCharsets.UTF_8)).isEqualTo(image.manifest().bytes());
    assertThat(upstream.front().manifestHeads()).isEqualTo(1);
    assertThat(upstream.front().manifestGets()).isEqualTo(2);
    assertThat(upstream.front().injectedFailures()).isEqualTo(1);
  }

  @Test
  void theCdnServesRangesAndRefusesAuthorization() {
    TestImage image = IMAGES.ociImage();
    upstream.push("library/cdn", "v1", image);
    Blob layer = image.platforms().get(0).layers().get(0);
    String token = upstream.tokens().mintToken("library/cdn", "pull");
    URI blob = upstream.uri().resolve("/v2/library/cdn/blobs/" + layer.digest());

    HttpResponse<String> redirect = get(blob, Map.of("Authorization", "Bearer " + token));
    assertThat(redirect.statusCode()).isEqualTo(307);
    URI location = URI.create(redirect.headers().firstValue("Location").orElseThrow());
    assertThat(location.getHost()).isEqualTo("127.0.0.2");

    HttpResponse<byte[]> range =
        sendBytes(HttpRequest.newBuilder(location).header("Range", "bytes=10-19"));
    assertThat(range.statusCode()).isEqualTo(206);
    assertThat(range.body()).isEqualTo(Arrays.copyOfRange(layer.bytes(), 10, 20));

    HttpResponse<String> leaked = get(location, Map.of("Authorization", "Bearer " + token));
    assertThat(leaked.statusCode()).isEqualTo(403);
    assertThat(upstream.front().authorizationViolations()).hasSize(1);
    assertThat(upstream.front().blobRedirects()).isEqualTo(1);
    assertThat(upstream.front().cdnBytes()).isEqualTo(10);
  }

  private static void assertCopied(TestImage image, Path destination) throws IOException {
    byte[] topLevel = Files.readAllBytes(destination.resolve("manifest.json"));
    assertThat(Blob.sha256(topLevel))
        .as("digest of the copied top-level manifest")
        .isEqualTo(image.digest());
    for (Blob child : image.childManifests()) {
      Path copied = destination.resolve(hex(child.digest()) + ".manifest.json");
      assertThat(copied).as("copied child manifest %s", child).exists();
      assertThat(Blob.sha256(Files.readAllBytes(copied))).isEqualTo(child.digest());
    }
    for (Blob blob : image.blobs()) {
      Path copied = destination.resolve(hex(blob.digest()));
      assertThat(copied).as("copied blob %s", blob).exists();
      assertThat(Blob.sha256(Files.readAllBytes(copied))).isEqualTo(blob.digest());
    }
  }

  private static void assertPulledAnonymouslyViaTheCdn(TestImage image) {
    String diagnostics = upstream.diagnostics();
    assertThat(upstream.front().blobRedirects())
        .as(diagnostics)
        .isGreaterThanOrEqualTo(image.blobs().size());
    assertThat(upstream.front().cdnRequests()).as(diagnostics).isGreaterThanOrEqualTo(1);
    assertThat(upstream.front().cdnBytes()).as(diagnostics).isEqualTo(image.blobBytes());
    assertThat(upstream.front().authorizationViolations()).as(diagnostics).isEmpty();
    assertThat(upstream.front().manifestGets()).as(diagnostics).isGreaterThanOrEqualTo(3);
    assertThat(upstream.tokens().requestCount()).as(diagnostics).isGreaterThanOrEqualTo(1);
    assertThat(upstream.tokens().identities()).as(diagnostics).containsOnly("anonymous");
  }

  private static String hex(String digest) {
    return digest.substring("sha256:".length());
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** The decoded JWT claims of a token response body. */
  private static String accessClaim(String tokenResponse) {
    String token = tokenResponse.replaceAll("(?s).*\"token\":\"([^\"]+)\".*", "$1");
    return new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> get(URI uri, Map<String, String> headers) {
    return send(HttpRequest.newBuilder(uri), "GET", headers);
  }

  private static HttpResponse<String> send(
      HttpRequest.Builder builder, String method, Map<String, String> headers) {
    headers.forEach(builder::header);
    try {
      return HTTP.send(
          builder.method(method, HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse<byte[]> sendBytes(HttpRequest.Builder builder) {
    try {
      return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
