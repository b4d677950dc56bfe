package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.HtpasswdFile;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.ProcessResult;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.storage.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --config stevedore.yml} with the file's {@code tls:} (self-signed) and {@code
 * access:} (htpasswd, allow) sections and no TLS or access flags: skopeo, trusting only the
 * generated CA and signing in, pulls an allowed image from the token-auth upstream intact; without
 * credentials, or for a repository outside the allow list, it is refused before any upstream
 * request.
 */
class ConfigFileIT {
  private static final String USER = "student";
  private static final String PASSWORD = "correct horse";

  private static Upstream upstream;
  private static TestImage allowed;
  private static TestImage forbidden;

  @TempDir Path work;
  private InProcessStevedore proxy;

  @BeforeAll
  static void startUpstream() throws Exception {
    upstream = Upstream.start(Files.createTempDirectory("stevedore-config-it"));
    TestImages images = new TestImages(91).layerSizes(30_000, 90_000);
    allowed = images.ociIndex();
    forbidden = images.dockerImage();
    upstream.push("library/alpha", "1.0", allowed);
    upstream.push("team/app", "v1", forbidden);
  }

  @AfterAll
  static void stopUpstream() {
    if (upstream != null) {
      upstream.close();
    }
  }

  /**
   * {@code serve --config stevedore.yml --upstream docker.io=URL --tag-ttl 5m}: TLS and access come
   * from the file alone.
   */
  @BeforeEach
  void startProxy() throws Exception {
    Path htpasswd = HtpasswdFile.write(work.resolve("htpasswd"), USER, PASSWORD);
    Path config =
        Files.writeString(
            work.resolve("stevedore.yml"),
            "tls:\n"
                + "  self-signed: true\n"
                + "access:\n"
                + "  htpasswd: "
                + htpasswd
                + "\n"
                + "  allow: [docker.io/library/*]\n");
    proxy =
        InProcessStevedore.on(work.resolve("data"))
            .configFile(config)
            .upstream("docker.io", upstream.uri())
            .tagTtl("5m")
            .start();
    upstream.resetCounters();
  }

  @AfterEach
  void stopProxy() {
    if (proxy != null) {
      proxy.close();
    }
    upstream.resetCounters();
  }

  /** skopeo into {@code destination}, trusting only {@code DATA/tls/ca.crt}, maybe signed in. */
  private ProcessResult pull(
      String repository, String tag, Optional<String> credentials, Path destination)
      throws Exception {
    Path certDir = work.resolve("certs");
    if (!Files.exists(certDir)) {
      Files.createDirectories(certDir);
      Files.copy(work.resolve("data/tls/ca.crt"), certDir.resolve("ca.crt"));
    }
    List<String> args = new ArrayList<>(List.of("copy", "--all", "--preserve-digests"));
    args.addAll(List.of("--src-cert-dir", certDir.toString(), "--src-tls-verify=true"));
    args.addAll(List.of("--retry-times", "0"));
    if (credentials.isPresent()) {
      args.addAll(List.of("--src-creds", credentials.get()));
    } else {
      args.add("--src-no-creds");
    }
    args.add(Skopeo.dockerRef(proxy.uri(), repository, tag));
    args.add("dir:" + destination);
    return new Skopeo(work).run(args);
  }

  private static void assertUpstreamUntouched() {
    assertThat(upstream.front().requestLog()).as(() -> upstream.diagnostics()).isEmpty();
    assertThat(upstream.tokens().requestCount()).isZero();
  }

  @Test
  void theFilesTlsAndAccess_apply() {
    assertThat(proxy.uri().getScheme()).isEqualTo("https");
    assertThat(work.resolve("data/tls/ca.crt")).isRegularFile();
  }

  @Test
  void signedIn_trustingTheCa_pullsAnAllowedImageIntact() throws Exception {
    Path pulled = work.resolve("pulled");

    pull("library/alpha", "1.0", Optional.of(USER + ":" + PASSWORD), pulled).requireSuccess();

    byte[] index = Files.readAllBytes(pulled.resolve("manifest.json"));
    assertThat(Digest.sha256(index).toString()).isEqualTo(allowed.digest());
    for (Blob blob : allowed.blobs()) {
      Path file = pulled.resolve(blob.digest().substring("sha256:".length()));
      assertThat(file).as(blob.toString()).exists();
      assertThat(Digest.sha256(Files.readAllBytes(file)).toString()).isEqualTo(blob.digest());
    }
    assertThat(upstream.front().manifestGets()).isPositive();
  }

  @Test
  void withoutCredentials_isRefused_beforeAnyUpstreamRequest() throws Exception {
    ProcessResult result = pull("library/alpha", "1.0", Optional.empty(), work.resolve("no"));

    assertThat(result.succeeded()).as(result.output()).isFalse();
    assertThat(result.output()).containsIgnoringCase("unauthorized");
    assertUpstreamUntouched();
  }

  @Test
  void outsideTheAllowList_isDenied_beforeAnyUpstreamRequest() throws Exception {
    ProcessResult result =
        pull("team/app", "v1", Optional.of(USER + ":" + PASSWORD), work.resolve("no"));

    assertThat(result.succeeded()).as(result.output()).isFalse();
    assertThat(result.output()).containsIgnoringCase("denied");
    assertUpstreamUntouched();
  }
}
