package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.TokenServer;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.storage.Digest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls real images with skopeo through Stevedore from the real CNCF distribution registry with
 * token auth, whose blob downloads are redirected to a "CDN" on another loopback host.
 */
class PullThroughIT {
  private static final TestImages IMAGES = new TestImages(42).layerSizes(100_000, 400_000);
  private static Upstream upstream;
  private static Path harnessDir;
  private static TestImage ociIndex;
  private static TestImage dockerList;

  @TempDir Path work;
  private InProcessStevedore proxy;

  @BeforeAll
  static void startUpstream() throws Exception {
    harnessDir = Files.createTempDirectory("stevedore-pull-it");
    upstream = Upstream.start(harnessDir);
    ociIndex = IMAGES.ociIndex();
    dockerList = IMAGES.dockerManifestList();
    upstream.push("library/alpha", "1.0", ociIndex);
    upstream.push("team/app", "v1", dockerList);
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
    if (!upstream.registry().isRunning()) {
      upstream.registry().start();
    }
    upstream.resetCounters();
  }

  private URI startProxy(Optional<Path> credentialsFile) throws Exception {
    return startProxy(credentialsFile, false);
  }

  private URI startProxy(Optional<Path> credentialsFile, boolean offline) throws Exception {
    proxy =
        InProcessStevedore.on(work.resolve("data"))
            .upstream("docker.io", upstream.uri())
            .credentialsFile(credentialsFile)
            .tagTtl("5m")
            .offline(offline)
            .start();
    return proxy.uri();
  }

  private Path pull(URI proxyUri, String repository, String reference) {
    Path destination = work.resolve("pull-" + System.nanoTime());
    new Skopeo(work)
        .copyAll(Skopeo.dockerRef(proxyUri, repository, reference), destination)
        .requireSuccess();
    return destination;
  }

  private static String manifestDigest(Path pulled) throws Exception {
    return Digest.sha256(Files.readAllBytes(pulled.resolve("manifest.json"))).toString();
  }

  @Test
  void coldPull_ociIndexAllPlatforms_byShortName_thenWarmPullServedFromCache() throws Exception {
    URI proxyUri = startProxy(Optional.empty());

    Path cold = pull(proxyUri, "alpha", "1.0");

    assertThat(manifestDigest(cold)).isEqualTo(ociIndex.digest());
    assertThat(upstream.front().blobRedirects()).isPositive();
    assertThat(upstream.front().authorizationViolations()).isEmpty();
    assertThat(upstream.front().cdnBytes()).isEqualTo(ociIndex.blobBytes());

    upstream.resetCounters();
    Path warm = pull(proxyUri, "library/alpha", "1.0");

    assertThat(manifestDigest(warm)).isEqualTo(ociIndex.digest());
    assertThat(upstream.front().cdnRequests()).isZero();
    assertThat(upstream.front().manifestGets()).isZero();
    assertThat(upstream.tokens().requestCount()).isZero();
  }

  @Test
  void dockerManifestList_pulledByDigest_withUpstreamStopped() throws Exception {
    URI proxyUri = startProxy(Optional.empty());
    pull(proxyUri, "team/app", "v1");

    upstream.registry().stop();

    Path offline = pull(proxyUri, "team/app", dockerList.digest());
    assertThat(manifestDigest(offline)).isEqualTo(dockerList.digest());
  }

  @Test
  void offline_servesWhatIsCachedAndNeverContactsUpstream() throws Exception {
    pull(startProxy(Optional.empty()), "team/app", "v1");
    proxy.close();
    upstream.resetCounters();

    URI offline = startProxy(Optional.empty(), true);
    Path byTag = pull(offline, "team/app", "v1");
    Path byDigest = pull(offline, "team/app", dockerList.digest());
    java.net.http.HttpResponse<String> miss =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        offline.resolve("/v2/library/alpha/manifests/1.0"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());

    assertThat(manifestDigest(byTag)).isEqualTo(dockerList.digest());
    assertThat(manifestDigest(byDigest)).isEqualTo(dockerList.digest());
    assertThat(miss.statusCode()).isEqualTo(404);
    assertThat(miss.body()).contains("MANIFEST_UNKNOWN");
    assertThat(upstream.front().requestLog()).isEmpty();
    assertThat(upstream.tokens().requestCount()).isZero();
  }

  @Test
  void credentialsFile_isTheUpstreamIdentity() throws Exception {
    String auth =
        Base64.getEncoder()
            .encodeToString(
                (TokenServer.DEFAULT_USERNAME + ":" + TokenServer.DEFAULT_PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
    Path config = work.resolve("config.json");
    Files.writeString(
        config, "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + auth + "\"}}}");
    URI proxyUri = startProxy(Optional.of(config));

    pull(proxyUri, "team/app", "v1");

    assertThat(upstream.tokens().identities())
        .isNotEmpty()
        .containsOnly(TokenServer.DEFAULT_USERNAME);
  }
}
