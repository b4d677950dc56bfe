package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.ProcessResult;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.TrustedCa;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.storage.Digest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stevedore serving HTTPS with {@code --tls-self-signed}: skopeo pulls through it trusting only the
 * generated {@code ca.crt}, and blobs (ranges, a large one cold and warm) arrive intact over TLS.
 */
class TlsIT {
  private static final int LARGE_LAYER = 20 * 1024 * 1024;

  private static Upstream upstream;
  private static TestImage image;
  private static TestImage large;

  @TempDir Path work;
  private InProcessStevedore proxy;

  @BeforeAll
  static void startUpstream() throws Exception {
    upstream = Upstream.start(Files.createTempDirectory("stevedore-tls-it"));
    image = new TestImages(7).layerSizes(100_000, 300_000).ociIndex();
    large = new TestImages(8).layersPerPlatform(1).layerSizes(LARGE_LAYER, LARGE_LAYER).ociImage();
    upstream.push("library/x", "tag", image);
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
    upstream.resetCounters();
  }

  /** Starts Stevedore on 127.0.0.1 as {@code serve --tls-self-signed} would; returns its URI. */
  private URI startProxy() throws Exception {
    proxy =
        InProcessStevedore.on(work.resolve("data"))
            .upstream("docker.io", upstream.uri())
            .tagTtl("5m")
            .flag("--tls-self-signed")
            .start();
    assertThat(proxy.uri().getScheme()).as("serve with --tls-self-signed").isEqualTo("https");
    return proxy.uri();
  }

  private Path caFile() {
    return work.resolve("data/tls/ca.crt");
  }

  private ProcessResult skopeoCopy(URI proxyUri, Optional<Path> certDir, Path destination) {
    List<String> args = new ArrayList<>(List.of("copy", "--all", "--preserve-digests"));
    certDir.ifPresent(dir -> args.addAll(List.of("--src-cert-dir", dir.toString())));
    args.addAll(List.of("--src-tls-verify=true", "--src-no-creds", "--retry-times", "0"));
    args.add(Skopeo.dockerRef(proxyUri, "library/x", "tag"));
    args.add("dir:" + destination.toAbsolutePath());
    return new Skopeo(work).run(args);
  }

  /** An HTTP client that trusts exactly {@code ca.crt}. */
  private HttpClient trustingCa() throws Exception {
    return HttpClient.newBuilder()
        .sslContext(TrustedCa.sslContext(caFile()))
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  private static HttpResponse<byte[]> get(
      HttpClient client, URI proxyUri, String repository, Blob blob, Optional<String> range)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(proxyUri.resolve("/v2/" + repository + "/blobs/" + blob.digest()))
            .timeout(Duration.ofSeconds(60));
    range.ifPresent(value -> request.header("Range", value));
    return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void skopeo_trustingOnlyTheGeneratedCa_pullsEveryPlatformIntact() throws Exception {
    URI proxyUri = startProxy();
    Path certDir = Files.createDirectories(work.resolve("certs"));
    Files.copy(caFile(), certDir.resolve("ca.crt"));
    Path pulled = work.resolve("pulled");

    skopeoCopy(proxyUri, Optional.of(certDir), pulled).requireSuccess();

    byte[] manifest = Files.readAllBytes(pulled.resolve("manifest.json"));
    assertThat(Digest.sha256(manifest).toString()).isEqualTo(image.digest());
    for (Blob blob : image.blobs()) {
      Path file = pulled.resolve(blob.digest().substring("sha256:".length()));
      assertThat(file).as(blob.toString()).exists();
      assertThat(Digest.sha256(Files.readAllBytes(file)).toString()).isEqualTo(blob.digest());
    }
  }

  @Test
  void skopeo_withoutTheCa_refusesTheCertificate() throws Exception {
    URI proxyUri = startProxy();

    ProcessResult result = skopeoCopy(proxyUri, Optional.empty(), work.resolve("refused"));

    assertThat(result.succeeded()).as(result.output()).isFalse();
    assertThat(result.output())
        .contains("x509:")
        .contains("certificate signed by unknown authority");
    assertThat(upstream.front().manifestGets()).isZero();
  }

  @Test
  void rangeRequests_overTls_coldAndWarm_returnTheRightBytes() throws Exception {
    URI proxyUri = startProxy();
    HttpClient client = trustingCa();
    Blob layer = image.platforms().get(0).layers().get(0);
    byte[] bytes = layer.bytes();

    HttpResponse<byte[]> cold =
        get(client, proxyUri, "library/x", layer, Optional.of("bytes=1000-50999"));
    HttpResponse<byte[]> whole = get(client, proxyUri, "library/x", layer, Optional.empty());
    HttpResponse<byte[]> warm =
        get(client, proxyUri, "library/x", layer, Optional.of("bytes=70000-"));

    assertThat(cold.statusCode()).isEqualTo(206);
    assertThat(cold.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(cold.body()).isEqualTo(Arrays.copyOfRange(bytes, 1000, 51000));
    assertThat(cold.headers().firstValue("Content-Range"))
        .contains("bytes 1000-50999/" + bytes.length);
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(whole.body()).isEqualTo(bytes);
    assertThat(warm.statusCode()).isEqualTo(206);
    assertThat(warm.body()).isEqualTo(Arrays.copyOfRange(bytes, 70000, bytes.length));
    assertThat(upstream.front().cdnRequests()).isEqualTo(1);
  }

  @Test
  void largeBlob_overTls_arrivesIntactColdAndWarm() throws Exception {
    URI proxyUri = startProxy();
    HttpClient client = trustingCa();
    Blob layer = large.platforms().get(0).layers().get(0);
    assertThat(layer.size()).isGreaterThan(LARGE_LAYER);

    HttpResponse<byte[]> cold = get(client, proxyUri, "library/big", layer, Optional.empty());
    HttpResponse<byte[]> warm = get(client, proxyUri, "library/big", layer, Optional.empty());

    assertThat(cold.statusCode()).isEqualTo(200);
    assertThat(cold.body()).hasSize((int) layer.size());
    assertThat(Digest.sha256(cold.body()).toString()).isEqualTo(layer.digest());
    assertThat(warm.statusCode()).isEqualTo(200);
    assertThat(Digest.sha256(warm.body()).toString()).isEqualTo(layer.digest());
    assertThat(upstream.front().cdnRequests()).as("fetched once, then served stored").isEqualTo(1);
  }

  @Test
  void plainHttpClient_toldToUseHttps() throws Exception {
    URI proxyUri = startProxy();
    URI plain = URI.create("http://127.0.0.1:" + proxyUri.getPort() + "/v2/");

    HttpResponse<String> refused =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(HttpRequest.newBuilder(plain).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("UNSUPPORTED").contains("use https://");
  }

  @Test
  void restart_reusesTheCa_clientsKeepTrustingIt() throws Exception {
    startProxy();
    byte[] ca = Files.readAllBytes(caFile());
    byte[] server = Files.readAllBytes(work.resolve("data/tls/server.crt"));
    HttpClient client = trustingCa();
    proxy.close();

    URI restarted = startProxy();
    HttpResponse<String> ping =
        client.send(
            HttpRequest.newBuilder(restarted.resolve("/v2/")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(Files.readAllBytes(caFile())).isEqualTo(ca);
    assertThat(Files.readAllBytes(work.resolve("data/tls/server.crt"))).isEqualTo(server);
    assertThat(ping.statusCode()).isEqualTo(200);
  }
}
