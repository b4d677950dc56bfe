package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.DataDirInspector;
import dev.stevedore.server.it.support.HostileRegistry;
import dev.stevedore.server.it.support.InProcessStevedore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Finding 5 of issue 12: manifests were stored without being parsed, so an upstream could have HTML
 * stored and served under a digest (stored XSS), or half a manifest. Each attack is served by the
 * hostile upstream evil.io; the client must get an OCI error, nothing may be stored, and a second
 * request must go upstream again.
 */
class AttackManifestContentIT {

  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static HostileRegistry evil;
  private static InProcessStevedore stevedore;
  private static DataDirInspector data;

  @BeforeAll
  static void start() throws Exception {
    Path work = Files.createTempDirectory("stevedore-attack-manifest-it");
    evil = HostileRegistry.start();
    stevedore = InProcessStevedore.on(work.resolve("data")).upstream("evil.io", evil.uri()).start();
    data = new DataDirInspector(work.resolve("data"));
  }

  @AfterAll
  static void stop() {
    if (stevedore != null) {
      stevedore.close();
    }
    if (evil != null) {
      evil.close();
    }
  }

  @BeforeEach
  void clear() {
    evil.clearRequests();
  }

  @Test
  void htmlUnderItsOwnDigest_isRefusedAndNotStored() throws Exception {
    Blob html =
        Blob.of(
            "text/html",
            "<html><script>alert(document.domain)</script></html>"
                .getBytes(StandardCharsets.UTF_8));
    evil.on(
        "GET",
        "/v2/xss/manifests/.*",
        HostileRegistry.manifest("text/html", html.bytes(), html.digest()));

    assertRefusedTwiceAndNotStored("xss", html.digest(), html.digest());
  }

  @Test
  void contentTypeThatDisagreesWithTheBodysMediaType_isRefusedAndNotStored() throws Exception {
    Blob manifest = Blob.of(OCI_MANIFEST, manifestBody(DOCKER_MANIFEST));
    evil.on(
        "GET",
        "/v2/mismatch/manifests/.*",
        HostileRegistry.manifest(OCI_MANIFEST, manifest.bytes(), manifest.digest()));

    assertRefusedTwiceAndNotStored("mismatch", manifest.digest(), manifest.digest());
  }

  @Test
  void bodyShorterThanItsContentLength_isRefusedAndNotStored() throws Exception {
    byte[] whole = manifestBody(OCI_MANIFEST);
    byte[] half = java.util.Arrays.copyOf(whole, whole.length / 2);
    Blob cut = Blob.of(OCI_MANIFEST, half);
    HostileRegistry.Behaviour lie =
        HostileRegistry.trickle(
            Map.of("Content-Type", OCI_MANIFEST, "Docker-Content-Digest", cut.digest()),
            whole.length,
            half,
            half.length,
            0);
    evil.on(
        "GET",
        "/v2/short/manifests/.*",
        (request, out) -> {
          lie.answer(request, out);
          out.close(); // and hang up
        });

    assertRefusedTwiceAndNotStored("short", "latest", cut.digest());
  }

  @Test
  void jsonNestedTenThousandDeep_isRefusedAndNotStored() throws Exception {
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    Blob nested =
        Blob.of(
            OCI_MANIFEST,
            ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"layers\":" + deep + "}")
                .getBytes(StandardCharsets.UTF_8));
    evil.on(
        "GET",
        "/v2/deep/manifests/.*",
        HostileRegistry.manifest(OCI_MANIFEST, nested.bytes(), nested.digest()));

    assertRefusedTwiceAndNotStored("deep", nested.digest(), nested.digest());
  }

  private static void assertRefusedTwiceAndNotStored(
      String repository, String reference, String digest) throws Exception {
    for (int attempt = 1; attempt <= 2; attempt++) {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(
                          stevedore.uri()
                              + "/v2/"
                              + repository
                              + "/manifests/"
                              + reference
                              + "?ns=evil.io"))
                  .header("Accept", OCI_MANIFEST + ", " + DOCKER_MANIFEST)
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode())
          .as("attempt %d: %.200s", attempt, response.body())
          .isGreaterThanOrEqualTo(500);
      assertThat(response.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/json");
      assertThat(response.body()).contains("\"errors\"").doesNotContain("<script>");
    }
    assertThat(evil.count("GET /v2/" + repository + "/manifests/.*"))
        .as("nothing cached: the second request went upstream again")
        .isEqualTo(2);
    assertThat(data.hasBlob(digest)).as("no blob stored under " + digest).isFalse();
  }

  /** A small, valid image manifest whose own mediaType field says {@code mediaType}. */
  private static byte[] manifestBody(String mediaType) {
    String zero = "sha256:" + "0".repeat(64);
    return ("{\"schemaVersion\":2,\"mediaType\":\""
            + mediaType
            + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
            + "\"digest\":\""
            + zero
            + "\",\"size\":2},\"layers\":[]}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
