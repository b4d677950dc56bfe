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
import org.junit.jupiter.api.Test;

/**
 * Issue 12, finding 6: a client that accepts only Docker schema 2 asks for a tag that is an OCI
 * index. The real registry answers such a request 404; that 404 must not be remembered for
 * everyone. Stevedore asks the upstream with every manifest type and negotiates locally.
 */
class AttackNegativeCacheIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
  private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

  private static Upstream hub;
  private static InProcessStevedore proxy;
  private static TestImage index;

  @BeforeAll
  static void start() throws Exception {
    Path work = Files.createTempDirectory("stevedore-attack-negative-it");
    hub = Upstream.start(work.resolve("hub"));
    index = new TestImages(12).layerSizes(1_000, 2_000).ociIndex();
    hub.push("library/multi", "1", index);
    proxy = InProcessStevedore.on(work.resolve("data")).upstream("docker.io", hub.uri()).start();
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (hub != null) {
      hub.close();
    }
  }

  @Test
  void narrowAcceptRequestsDoNotHideTheTagFromOtherClients() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(get("GET", DOCKER_V2).statusCode()).isEqualTo(404);
      assertThat(get("HEAD", DOCKER_V2).statusCode()).isEqualTo(404);
    }

    HttpResponse<byte[]> full = get("GET", OCI_INDEX + ", " + DOCKER_V2);
    assertThat(full.statusCode()).isEqualTo(200);
    assertThat(full.headers().firstValue("Docker-Content-Digest")).hasValue(index.digest());
    assertThat(full.headers().firstValue("Content-Type")).hasValue(OCI_INDEX);
    assertThat(get("HEAD", OCI_INDEX).statusCode()).isEqualTo(200);
  }

  private static HttpResponse<byte[]> get(String method, String accept) throws Exception {
    URI uri = proxy.uri().resolve("/v2/library/multi/manifests/1");
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .header("Accept", accept)
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }
}
