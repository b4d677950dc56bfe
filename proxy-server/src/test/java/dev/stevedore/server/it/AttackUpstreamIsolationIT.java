package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.HostileRegistry;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.MediaTypes;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.storage.Digest;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Findings 3 and 4: a second upstream ({@code evil.io}, a hostile registry) must not slow down or
 * change what the first ({@code docker.io}, the real token-auth registry) serves, even for the very
 * same digest.
 */
class AttackUpstreamIsolationIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static final String ALL_MANIFESTS =
      String.join(
          ", ",
          MediaTypes.OCI_INDEX,
          MediaTypes.OCI_MANIFEST,
          MediaTypes.DOCKER_MANIFEST_LIST,
          MediaTypes.DOCKER_MANIFEST);

  @TempDir Path work;
  private Upstream hub;
  private HostileRegistry evil;
  private InProcessStevedore proxy;

  @BeforeEach
  void start() throws Exception {
    hub = Upstream.start(Files.createTempDirectory("stevedore-isolation-it"));
    evil = HostileRegistry.start();
    proxy = startProxy();
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (evil != null) {
      evil.close();
    }
    if (hub != null) {
      hub.close();
    }
  }

  private InProcessStevedore startProxy() throws Exception {
    return InProcessStevedore.on(work.resolve("data"))
        .upstream("docker.io", hub.uri())
        .upstream("evil.io", evil.uri())
        .start();
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(proxy.uri().resolve(path))
        .timeout(Duration.ofSeconds(60))
        .header("Accept", ALL_MANIFESTS);
  }

  private HttpResponse<byte[]> get(String path) throws Exception {
    return HTTP.send(request(path).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void trickledDigestOnEvilDoesNotSlowDockerHub() throws Exception {
    TestImage image = new TestImages(17).layerSizes(40_000, 60_000).dockerImage();
    hub.push("library/alpine", "3.19", image);
    Blob layer = image.platforms().get(0).layers().get(0);
    evil.on(
        "GET",
        "/v2/library/alpine/blobs/" + layer.digest(),
        HostileRegistry.trickle(
            Map.of("Content-Type", "application/octet-stream"),
            layer.size(),
            layer.bytes(),
            4,
            250));
    CompletableFuture<HttpResponse<byte[]>> hostage =
        HTTP.sendAsync(
            request("/v2/library/alpine/blobs/" + layer.digest() + "?ns=evil.io").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    while (evil.count("GET /v2/library/alpine/blobs/.*") == 0) {
      assertThat(hostage).as("the evil download should be trickling").isNotDone();
      Thread.sleep(20);
    }

    HttpResponse<byte[]> fromHub = get("/v2/library/alpine/blobs/" + layer.digest());

    assertThat(fromHub.statusCode()).isEqualTo(200);
    assertThat(Digest.sha256(fromHub.body()).toString()).isEqualTo(layer.digest());
    assertThat(hostage).as("evil is still trickling").isNotDone();
    assertThat(evil.count("GET /v2/library/alpine/blobs/.*")).isEqualTo(1);
    hostage.cancel(true);
  }

  @Test
  void evilCannotRewriteMediaType() throws Exception {
    TestImage index = new TestImages(23).layerSizes(1_000, 2_000).ociIndex();
    hub.push("library/alpine", "3.19", index);
    HttpResponse<byte[]> first = get("/v2/library/alpine/manifests/3.19");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("Content-Type")).hasValue(MediaTypes.OCI_INDEX);
    // the very same bytes, claimed under another (valid) manifest type
    evil.on(
        null,
        "/v2/library/alpine/manifests/.*",
        HostileRegistry.manifest(
            MediaTypes.DOCKER_MANIFEST_LIST, index.manifest().bytes(), index.digest()));

    get("/v2/library/alpine/manifests/3.19?ns=evil.io"); // refused or not, it must change nothing
    get("/v2/library/alpine/manifests/" + index.digest() + "?ns=evil.io");

    assertHubServesTheIndexAsOciIndex(index);
    proxy.close();
    proxy = startProxy();
    assertHubServesTheIndexAsOciIndex(index);
  }

  private void assertHubServesTheIndexAsOciIndex(TestImage index) throws Exception {
    for (String reference : new String[] {"3.19", index.digest()}) {
      HttpResponse<byte[]> response = get("/v2/library/alpine/manifests/" + reference);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(index.manifest().bytes());
      assertThat(response.headers().firstValue("Content-Type"))
          .as(reference)
          .hasValue(MediaTypes.OCI_INDEX);
    }
  }
}
