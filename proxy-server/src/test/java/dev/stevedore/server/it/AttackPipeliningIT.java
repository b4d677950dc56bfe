package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.AccessLogCapture;
import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.RawHttpConnection;
import dev.stevedore.server.it.support.RawHttpConnection.Response;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.TrustedCa;
import dev.stevedore.server.it.support.Upstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, finding 7: pipelined requests were answered out of order (a cold tag list after the
 * quick answers behind it), over TLS a request pipelined after a blob cut the blob short, and the
 * access log paired requests with the wrong responses. Responses must come in request order (RFC
 * 9112 §9.3.2), whole, each logged with its own request.
 */
class AttackPipeliningIT {
  private static final String OCI_MANIFEST = "Accept: application/vnd.oci.image.manifest.v1+json";
  private static final int BLOB_BYTES = 4 * 1024 * 1024;

  private static Upstream upstream;
  private static TestImage small;
  private static TestImage large;

  @TempDir Path work;
  private InProcessStevedore proxy;

  @BeforeAll
  static void startUpstream() throws Exception {
    upstream = Upstream.start(Files.createTempDirectory("stevedore-attack-pipelining-it"));
    small = new TestImages(1207).layersPerPlatform(1).layerSizes(10_000, 10_000).ociImage();
    large = new TestImages(1208).layersPerPlatform(1).layerSizes(BLOB_BYTES, BLOB_BYTES).ociImage();
    upstream.push("library/alpine", "3.19", small);
    upstream.push("library/big", "1", large);
  }

  @AfterAll
  static void stopUpstream() {
    if (upstream != null) {
      upstream.close();
    }
  }

  @AfterEach
  void stopProxy() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private void startProxy(boolean tls) throws Exception {
    InProcessStevedore.Builder builder =
        InProcessStevedore.on(work.resolve("data"))
            .upstream("docker.io", upstream.uri())
            .tagTtl("5m");
    if (tls) {
      builder.flag("--tls-self-signed");
    }
    proxy = builder.start();
  }

  @Test
  void pipelinedRequests_areAnsweredInRequestOrder_andLoggedInPairs() throws Exception {
    startProxy(false);
    List<String> targets =
        List.of(
            "/v2/library/alpine/tags/list",
            "/v2/",
            "/v2/library/alpine/manifests/3.19",
            "/healthz");
    try (AccessLogCapture log = new AccessLogCapture();
        RawHttpConnection connection = RawHttpConnection.open(proxy.uri())) {
      connection.send(
          RawHttpConnection.get(targets.get(0))
              + RawHttpConnection.get(targets.get(1))
              + RawHttpConnection.get(targets.get(2), OCI_MANIFEST)
              + RawHttpConnection.get(targets.get(3)));

      Response tags = connection.read();
      Response base = connection.read();
      Response manifest = connection.read();
      Response health = connection.read();

      assertThat(tags.text()).as("first answer: the tag list").contains("\"tags\"", "3.19");
      assertThat(base.text()).as("second answer: /v2/").isEqualTo("{}");
      assertThat(manifest.header("Docker-Content-Digest"))
          .as("third answer: the manifest")
          .isEqualTo(small.digest());
      assertThat(health.text()).as("fourth answer: /healthz").isEqualTo("ok\n");
      assertPairedInOrder(log, targets, List.of(tags, base, manifest, health));
    }
  }

  @Test
  void overTls_aBlobThenAPipelinedManifest_bothArriveWhole() throws Exception {
    startProxy(true);
    Blob blob = large.blobs().stream().max(Comparator.comparingLong(Blob::size)).orElseThrow();
    assertThat(blob.size()).as("a layer of a few MB").isGreaterThan(BLOB_BYTES / 2);
    List<String> targets =
        List.of(
            "/v2/library/big/blobs/" + blob.digest(),
            "/v2/library/big/manifests/" + large.digest());
    for (String temperature : List.of("cold", "warm")) {
      try (AccessLogCapture log = new AccessLogCapture();
          RawHttpConnection connection =
              RawHttpConnection.openTls(
                  proxy.uri(), TrustedCa.sslContext(work.resolve("data/tls/ca.crt")))) {
        connection.send(
            RawHttpConnection.get(targets.get(0))
                + RawHttpConnection.get(targets.get(1), OCI_MANIFEST));

        Response blobResponse = connection.read();
        Response manifest = connection.read();

        assertThat(blobResponse.status()).as(temperature).isEqualTo(200);
        assertThat(blobResponse.body()).as(temperature + " blob").hasSize((int) blob.size());
        assertThat(Blob.sha256(blobResponse.body())).as(temperature).isEqualTo(blob.digest());
        assertThat(manifest.status()).as(temperature).isEqualTo(200);
        assertThat(manifest.header("Docker-Content-Digest")).isEqualTo(large.digest());
        assertPairedInOrder(log, targets, List.of(blobResponse, manifest));
      }
    }
  }

  /** One access-log line per request, in request order, each with its own response's numbers. */
  private static void assertPairedInOrder(
      AccessLogCapture log, List<String> targets, List<Response> responses) throws Exception {
    List<String> lines = awaitLines(log, targets.size());
    assertThat(lines).hasSize(targets.size());
    for (int i = 0; i < targets.size(); i++) {
      Response response = responses.get(i);
      assertThat(lines.get(i))
          .as("access log line %d", i)
          .contains("\"GET " + targets.get(i) + " HTTP/1.1\" ")
          .contains("\" " + response.status() + " " + response.body().length + " ");
    }
  }

  /** The access log lines once {@code count} were written (each after its response was sent). */
  private static List<String> awaitLines(AccessLogCapture log, int count) throws Exception {
    for (int attempt = 0; attempt < 500 && log.lines().size() < count; attempt++) {
      Thread.sleep(10);
    }
    return log.lines();
  }
}
