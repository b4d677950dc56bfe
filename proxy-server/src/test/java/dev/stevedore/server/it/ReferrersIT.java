package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.HostileRegistry;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
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
import org.junit.jupiter.api.Test;

/**
 * Signatures and referrers through Stevedore (issue 17): against the real registry, which has no
 * referrers API (distribution 2.8), clients get the 404 that sends them to the {@code sha256-<hex>}
 * tag schema, and a cosign {@code sha256-<hex>.sig} tag pulls through with skopeo; against an
 * in-test registry that serves referrers, the index is passed through with its {@code artifactType}
 * filter and cached.
 */
class ReferrersIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final String COSIGN = "application/vnd.dev.cosign.artifact.sig.v1+json";
  private static final String SIGNATURE =
      "sha256:1111111111111111111111111111111111111111111111111111111111111111";

  private static Path work;
  private static Upstream upstream;
  private static HostileRegistry oci11;
  private static InProcessStevedore proxy;
  private static TestImage image;

  @BeforeAll
  static void start() throws Exception {
    work = Files.createTempDirectory("stevedore-referrers-it");
    upstream = Upstream.start(work.resolve("upstream"));
    image = new TestImages(17).layerSizes(20_000, 30_000).dockerImage();
    upstream.push("library/signed", "1", image);
    upstream.push("library/signed", cosignTag(image.digest(), ".sig"), image);
    oci11 = HostileRegistry.start();
    proxy =
        InProcessStevedore.on(work.resolve("data"))
            .upstream("docker.io", upstream.uri())
            .upstream("oci11.io", oci11.uri())
            .start();
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (oci11 != null) {
      oci11.close();
    }
  }

  private static String cosignTag(String digest, String suffix) {
    return digest.replace(':', '-') + suffix;
  }

  private static HttpResponse<String> send(String method, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(proxy.uri().resolve(path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .header("Accept", OCI_INDEX)
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void upstreamWithoutReferrersApi_answersTheFallback404() throws Exception {
    HttpResponse<String> response = send("GET", "/v2/library/signed/referrers/" + image.digest());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
    assertThat(response.body()).contains("MANIFEST_UNKNOWN").doesNotContain("NAME_UNKNOWN");
  }

  @Test
  void cosignSignatureTag_pullsThroughWithSkopeo() throws Exception {
    String tag = cosignTag(image.digest(), ".sig");

    String manifest =
        new Skopeo(work)
            .inspectRaw(Skopeo.dockerRef(proxy.uri(), "library/signed", tag))
            .requireSuccess()
            .output();

    assertThat(manifest).isEqualTo(new String(image.manifest().bytes(), StandardCharsets.UTF_8));
  }

  @Test
  void referrersIndex_isPassedThroughWithItsFilterAndCached() throws Exception {
    String subject = image.digest();
    String index =
        "{\"schemaVersion\":2,\"mediaType\":\""
            + OCI_INDEX
            + "\",\"manifests\":[{\"mediaType\":\""
            + OCI_MANIFEST
            + "\",\"digest\":\""
            + SIGNATURE
            + "\",\"size\":321,\"artifactType\":\""
            + COSIGN
            + "\"}]}";
    oci11.on(
        "GET",
        "/v2/app/referrers/" + subject,
        HostileRegistry.respond(
            200,
            OCI_INDEX,
            index.getBytes(StandardCharsets.UTF_8),
            Map.of("OCI-Filters-Applied", "artifactType")));
    String path =
        "/v2/app/referrers/"
            + subject
            + "?ns=oci11.io&artifactType=application%2Fvnd.dev.cosign.artifact.sig.v1%2Bjson";

    HttpResponse<String> first = send("GET", path);
    HttpResponse<String> second = send("GET", path);
    HttpResponse<String> head = send("HEAD", path);

    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(first.body()).isEqualTo(index);
    assertThat(first.headers().firstValue("Content-Type")).hasValue(OCI_INDEX);
    assertThat(first.headers().firstValue("OCI-Filters-Applied")).hasValue("artifactType");
    assertThat(second.body()).isEqualTo(index);
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(oci11.count("GET /v2/app/referrers/.*")).as(oci11.requests().toString()).isOne();
    assertThat(oci11.requests())
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("artifactType=application%2Fvnd.dev.cosign.artifact.sig.v1%2Bjson"));
  }

  @Test
  void unfilteredIndex_comesWithoutTheFilterHeader() throws Exception {
    String subject = "sha256:" + "2".repeat(64);
    String index = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[]}";
    oci11.on(
        "GET",
        "/v2/plain/referrers/" + subject,
        HostileRegistry.respond(200, OCI_INDEX, index.getBytes(StandardCharsets.UTF_8), Map.of()));

    HttpResponse<String> response =
        send("GET", "/v2/plain/referrers/" + subject + "?ns=oci11.io&artifactType=" + "a%2Fb");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(index);
    assertThat(response.headers().firstValue("OCI-Filters-Applied")).isEmpty();
  }

  @Test
  void hostileIndex_isRefused() throws Exception {
    String subject = "sha256:" + "3".repeat(64);
    oci11.on(
        "GET",
        "/v2/evil/referrers/" + subject,
        HostileRegistry.respond(
            200,
            OCI_INDEX,
            "<html><script>alert(1)</script></html>".getBytes(StandardCharsets.UTF_8),
            Map.of()));

    HttpResponse<String> response = send("GET", "/v2/evil/referrers/" + subject + "?ns=oci11.io");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).contains("UNAVAILABLE").doesNotContain("<script>");
  }
}
