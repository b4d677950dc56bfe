package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.HtpasswdFile;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.RawHttpConnection;
import dev.stevedore.server.it.support.RawHttpConnection.Response;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, finding 1: with {@code --htpasswd}, a percent-encoded spelling of a {@code /v2/} path
 * ({@code /%762/…}) was served without credentials, because authentication read the raw target and
 * routing the decoded one. Every spelling must now be either refused as non-canonical (400) or
 * asked for credentials (401), and the upstream never sees a request.
 */
class AttackAuthBypassIT {
  private static final String USER = "alice";
  private static final String PASSWORD = "a long enough passphrase";

  private static Upstream upstream;
  private static TestImage image;

  @TempDir Path work;
  private InProcessStevedore proxy;

  @BeforeAll
  static void startUpstream() throws Exception {
    upstream = Upstream.start(Files.createTempDirectory("stevedore-attack-auth-it"));
    image = new TestImages(1201).layersPerPlatform(1).layerSizes(30_000, 30_000).ociImage();
    upstream.push("library/alpine", "3.19", image);
  }

  @AfterAll
  static void stopUpstream() {
    if (upstream != null) {
      upstream.close();
    }
  }

  @BeforeEach
  void startProxy() throws Exception {
    Path htpasswd = HtpasswdFile.write(work.resolve("htpasswd"), USER, PASSWORD);
    proxy =
        InProcessStevedore.on(work.resolve("data"))
            .upstream("docker.io", upstream.uri())
            .tagTtl("5m")
            .flag("--htpasswd", htpasswd.toString())
            .start();
    upstream.resetCounters();
  }

  @AfterEach
  void stopProxy() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private Response get(String target, String... headers) throws Exception {
    try (RawHttpConnection connection = RawHttpConnection.open(proxy.uri())) {
      return connection.send(RawHttpConnection.get(target, headers)).read();
    }
  }

  private static String credentials() {
    String pair = USER + ":" + PASSWORD;
    return "Authorization: Basic "
        + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  private String layer() {
    return image.blobs().get(image.blobs().size() - 1).digest();
  }

  private void assertNeedsCredentials(String target) throws Exception {
    Response response = get(target);
    assertThat(response.status()).as(target + ": " + response.text()).isEqualTo(401);
    assertThat(response.header("WWW-Authenticate")).startsWith("Basic ");
    assertThat(response.text()).contains("\"code\":\"UNAUTHORIZED\"");
  }

  private void assertUpstreamUntouched() {
    assertThat(upstream.front().requestLog()).as(() -> upstream.diagnostics()).isEmpty();
    assertThat(upstream.tokens().requestCount()).isZero();
  }

  @Test
  void escapedV2_manifest_needsCredentials() throws Exception {
    assertNeedsCredentials("/%762/library/alpine/manifests/3.19");
    assertNeedsCredentials("/%76%32/library/alpine/manifests/" + image.digest());
    assertNeedsCredentials("/v%32/library/alpine/manifests/3.19");
    assertNeedsCredentials("/%562/library/alpine/manifests/3.19");
    assertUpstreamUntouched();
  }

  @Test
  void escapedV2_blob_needsCredentials() throws Exception {
    assertNeedsCredentials("/%762/library/alpine/blobs/" + layer());
    assertNeedsCredentials("/%762/library/alpine/blobs/" + layer().replace(":", "%3A"));
    assertUpstreamUntouched();
  }

  @Test
  void escapedV2_tagList_needsCredentials() throws Exception {
    assertNeedsCredentials("/%762/library/alpine/tags/list");
    assertNeedsCredentials("/%762/library/alpine/tags/list?%6Es=docker.io");
    assertUpstreamUntouched();
  }

  @Test
  void unknownAndUnsupportedPaths_needCredentials() throws Exception {
    assertNeedsCredentials("/%762/_catalog");
    assertNeedsCredentials("/v1/_ping");
    assertNeedsCredentials("/v3/library/alpine/manifests/3.19");
    assertNeedsCredentials("/metrics/");
    assertUpstreamUntouched();
  }

  @Test
  void nonCanonicalTargets_areBadRequests_beforeAnyDecision() throws Exception {
    for (String target :
        List.of(
            "/v2/library%2Falpine/manifests/3.19",
            "/%762/library%2falpine/manifests/3.19",
            "/v2/library/alpine/%2e%2e/alpine/manifests/3.19",
            "/v2/library/x/../alpine/manifests/3.19",
            "/v2/library/./alpine/manifests/3.19",
            "/v2//library/alpine/manifests/3.19",
            "/%25762/library/alpine/manifests/3.19",
            "/v2/library/alpine/manifests/3.19%00",
            "/v2/library/alpine/manifests/3.19\u0000",
            "/v2/library/alpine/manifests/3.19%zz",
            "/v2/library/alpine/manifests/3.19;x=y",
            "/v2/library/alpine/manifests/3.19?ns=docker.io&ns=evil.io")) {
      Response response = get(target, credentials());
      assertThat(response.status()).as(target + ": " + response.text()).isEqualTo(400);
      assertThat(response.text()).contains("\"code\":\"UNSUPPORTED\"");
    }
    assertUpstreamUntouched();
  }

  @Test
  void escapedV2_withCredentials_isServedAsTheSameRoute() throws Exception {
    Response manifest =
        get(
            "/%762/library/alpine/manifests/3.19",
            credentials(), "Accept: application/vnd.oci.image.manifest.v1+json");

    assertThat(manifest.status()).as(manifest.text()).isEqualTo(200);
    assertThat(manifest.header("Docker-Content-Digest")).isEqualTo(image.digest());
  }

  @Test
  void operatorEndpoints_answerWithoutCredentials() throws Exception {
    assertThat(get("/healthz").status()).isEqualTo(200);
    assertThat(get("/metrics").status()).isEqualTo(200);
    assertThat(get("/").status()).isEqualTo(200);
  }
}
