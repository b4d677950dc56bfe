package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.RawHttpConnection;
import dev.stevedore.server.it.support.RawHttpConnection.Response;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, finding 5 (part): a browser that opens a manifest, blob or error body must never guess
 * it is HTML and run it, and the status page may run nothing at all. Every response carries {@code
 * X-Content-Type-Options: nosniff}; the status page a restrictive Content-Security-Policy.
 */
class AttackContentSniffingIT {
  @TempDir Path work;

  @Test
  void everyKindOfResponse_carriesNosniff() throws Exception {
    TestImage image = new TestImages(1205).layersPerPlatform(1).ociImage();
    try (Upstream upstream = Upstream.start(work.resolve("upstream"));
        InProcessStevedore proxy =
            InProcessStevedore.on(work.resolve("data"))
                .upstream("docker.io", upstream.uri())
                .start()) {
      upstream.push("library/alpine", "3.19", image);
      String layer = image.blobs().get(0).digest();
      List<String> requests =
          List.of(
              RawHttpConnection.get(
                  "/v2/library/alpine/manifests/3.19",
                  "Accept: application/vnd.oci.image.manifest.v1+json"),
              RawHttpConnection.get("/v2/library/alpine/blobs/" + layer),
              RawHttpConnection.get("/v2/library/alpine/manifests/missing"),
              RawHttpConnection.get("/v2/library/alpine/blobs/sha256:bad"),
              RawHttpConnection.get("/v2/a%2Fb/manifests/x"),
              RawHttpConnection.get("/v2/", "X-Long: " + "x".repeat(20_000)),
              RawHttpConnection.get("/v2/"),
              RawHttpConnection.get("/"),
              RawHttpConnection.get("/metrics"),
              RawHttpConnection.get("/healthz"),
              RawHttpConnection.get("/readyz"),
              "PUT /v2/a/manifests/x HTTP/1.1\r\nHost: s\r\nContent-Length: 0\r\n\r\n");
      for (String request : requests) {
        try (RawHttpConnection connection = RawHttpConnection.open(proxy.uri())) {
          Response response = connection.send(request).read();
          assertThat(response.header("X-Content-Type-Options"))
              .as(request.lines().findFirst().orElseThrow() + " -> " + response.status())
              .isEqualTo("nosniff");
        }
      }
    }
  }

  @Test
  void statusPage_sendsARestrictiveContentSecurityPolicy() throws Exception {
    try (InProcessStevedore proxy =
            InProcessStevedore.on(work.resolve("data"))
                .upstream("docker.io", URI.create("http://127.0.0.1:9"))
                .start();
        RawHttpConnection connection = RawHttpConnection.open(proxy.uri())) {
      Response page = connection.send(RawHttpConnection.get("/")).read();

      assertThat(page.status()).isEqualTo(200);
      String policy = page.header("Content-Security-Policy");
      assertThat(policy)
          .as("nothing loads or runs but the page's own inline style")
          .contains("default-src 'none'", "frame-ancestors 'none'", "form-action 'none'")
          .doesNotContain("script-src", "unsafe-eval");
      assertThat(page.text()).doesNotContain("<script");
    }
  }
}
