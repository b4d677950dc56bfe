package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** containerd's {@code ?ns=<registry>} picks the upstream; each upstream keeps its own names. */
class NamespaceRoutingIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static Upstream hub;
  private static Upstream ghcr;
  private static InProcessStevedore proxy;
  private static URI base;
  private static TestImage hubImage;
  private static TestImage ghcrImage;

  @BeforeAll
  static void start() throws Exception {
    Path work = Files.createTempDirectory("stevedore-ns-it");
    hub = Upstream.start(work.resolve("hub"));
    ghcr = Upstream.start(work.resolve("ghcr"));
    TestImages images = new TestImages(3).layerSizes(10_000, 20_000);
    hubImage = images.dockerImage();
    ghcrImage = images.ociImage();
    hub.push("library/alpine", "1", hubImage);
    ghcr.push("alpine", "1", ghcrImage);
    proxy =
        InProcessStevedore.on(work.resolve("data"))
            .upstream("docker.io", hub.uri())
            .upstream("ghcr.io", ghcr.uri())
            .start();
    base = proxy.uri();
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
    for (Upstream upstream : new Upstream[] {hub, ghcr}) {
      if (upstream != null) {
        upstream.close();
      }
    }
  }

  @BeforeEach
  void resetCounters() {
    hub.resetCounters();
    ghcr.resetCounters();
  }

  private static HttpResponse<String> head(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(base.resolve(path))
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .header(
                "Accept",
                "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void nsDockerIo_routesToDockerHubWithLibraryPrefixAndNamespaceHeader() throws Exception {
    HttpResponse<String> response = head("/v2/alpine/manifests/1?ns=docker.io");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(hubImage.digest());
    assertThat(response.headers().firstValue("OCI-Namespace")).hasValue("docker.io");
    assertThat(response.headers().firstValueAsLong("Content-Length"))
        .hasValue(hubImage.manifest().bytes().length);
    assertThat(String.join("\n", hub.front().requestLog()))
        .contains("/v2/library/alpine/manifests/1");
    assertThat(ghcr.front().requestLog()).isEmpty();
  }

  @Test
  void nsGhcr_routesToSecondUpstreamWithoutLibraryPrefix() throws Exception {
    HttpResponse<String> response = head("/v2/alpine/manifests/1?ns=ghcr.io");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(ghcrImage.digest());
    assertThat(response.headers().firstValue("OCI-Namespace")).hasValue("ghcr.io");
    assertThat(String.join("\n", ghcr.front().requestLog()))
        .contains("/v2/alpine/manifests/1")
        .doesNotContain("library/");
    assertThat(hub.front().requestLog()).isEmpty();
  }

  @Test
  void noNs_usesDefaultUpstreamAndSendsNoNamespaceHeader() throws Exception {
    HttpResponse<String> response = head("/v2/library/alpine/manifests/1");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(hubImage.digest());
    assertThat(response.headers().firstValue("OCI-Namespace")).isEmpty();
    assertThat(ghcr.front().requestLog()).isEmpty();
  }

  @Test
  void unknownNs_isNameUnknownWithoutContactingAnyUpstream() throws Exception {
    HttpResponse<String> response = get("/v2/alpine/manifests/1?ns=quay.io");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).contains("NAME_UNKNOWN").contains("quay.io");
    assertThat(hub.front().requestLog()).isEmpty();
    assertThat(ghcr.front().requestLog()).isEmpty();
  }

  @Test
  void nameOnlyOnOneUpstream_isUnknownOnTheOther() throws Exception {
    hub.push("team/only-hub", "1", hubImage);

    HttpResponse<String> onHub = head("/v2/team/only-hub/manifests/1?ns=docker.io");
    HttpResponse<String> onGhcr = get("/v2/team/only-hub/manifests/1?ns=ghcr.io");

    assertThat(onHub.statusCode()).isEqualTo(200);
    assertThat(onGhcr.statusCode()).isEqualTo(404);
    assertThat(onGhcr.body()).contains("MANIFEST_UNKNOWN");
  }

  @Test
  void sameBlobFromTwoUpstreams_isStoredOnceAndServedToBoth() throws Exception {
    String layer = hubImage.platforms().get(0).layers().get(0).digest();
    ghcr.push("mirror/copy", "1", hubImage);

    HttpResponse<String> first = get("/v2/alpine/blobs/" + layer + "?ns=docker.io");
    ghcr.resetCounters();
    HttpResponse<String> second = get("/v2/mirror/copy/blobs/" + layer + "?ns=ghcr.io");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(ghcr.front().cdnRequests()).isZero();
  }
}
