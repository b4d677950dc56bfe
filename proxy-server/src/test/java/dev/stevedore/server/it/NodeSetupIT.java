package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.Containerd;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.Podman;
import dev.stevedore.server.it.support.ProcessResult;
import dev.stevedore.server.it.support.SetupScripts;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.TestPki;
import dev.stevedore.server.it.support.TrustedCa;
import dev.stevedore.server.it.support.Upstream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19 end to end: a real containerd ({@code ctr}) and a real Podman pull through Stevedore
 * using only the files its own setup script wrote, run as a node runs it ({@code curl … | sudo sh})
 * but with {@code --root} so the files land in a test directory. Plain HTTP, and {@code
 * --tls-self-signed} where the node trusts only the CA the script installed and the script itself
 * comes through the pinned one-liner of {@code GET /setup/}.
 *
 * <p>The upstream named docker.io is a local registry with token auth holding random test images;
 * the fallback {@code server} the scripts write is the real registry-1.docker.io, unreachable here,
 * so a pull with the right digest already proves the mirror was used. Each test still checks it
 * from Stevedore's side: its {@code /metrics} counted the bytes it served, and the upstream's front
 * saw Stevedore fetch the manifest.
 */
class NodeSetupIT {
  private static final TestImages IMAGES = new TestImages(19).layerSizes(20_000, 60_000);
  private static final TestImage CONTAINERD_PLAIN = IMAGES.ociIndex();
  private static final TestImage PODMAN_PLAIN = IMAGES.dockerImage();
  private static final TestImage CONTAINERD_TLS = IMAGES.ociIndex();
  private static final TestImage PODMAN_TLS = IMAGES.dockerImage();
  private static final TestImage CONTAINERD_GHCR = IMAGES.dockerManifestList();
  private static final TestImage PODMAN_GHCR = IMAGES.ociImage();
  private static final Pattern SERVED_BYTES =
      Pattern.compile("^stevedore_served_bytes_total(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);
  private static final Pattern PIN = Pattern.compile("--pinnedpubkey '(sha256//[^']+)'");

  @TempDir static Path work;
  private static Containerd containerd;
  private static Upstream hub;
  private static Upstream ghcr;
  private static InProcessStevedore plain;
  private static InProcessStevedore tls;

  @TempDir Path testDir;
  private Path root;
  private SetupScripts scripts;

  @BeforeAll
  static void start() throws Exception {
    containerd = Containerd.start();
    hub = Upstream.start(Files.createDirectories(work.resolve("docker.io")));
    hub.push("library/ctd-plain", "1", CONTAINERD_PLAIN);
    hub.push("library/podman-plain", "2", PODMAN_PLAIN);
    hub.push("library/ctd-tls", "3", CONTAINERD_TLS);
    hub.push("library/podman-tls", "4", PODMAN_TLS);
    ghcr = Upstream.start(Files.createDirectories(work.resolve("ghcr.io")));
    ghcr.push("org/ctd-tool", "5", CONTAINERD_GHCR);
    ghcr.push("org/podman-tool", "6", PODMAN_GHCR);
    plain =
        InProcessStevedore.on(work.resolve("plain-data"))
            .upstream("docker.io", hub.uri())
            .upstream("ghcr.io", ghcr.uri())
            .start();
    tls =
        InProcessStevedore.on(work.resolve("tls-data"))
            .upstream("docker.io", hub.uri())
            .upstream("ghcr.io", ghcr.uri())
            .flag("--tls-self-signed")
            .start();
    assertThat(tls.uri().getScheme()).isEqualTo("https");
  }

  @AfterAll
  static void stop() {
    try {
      if (containerd != null) {
        containerd.close();
      }
    } finally {
      try {
        closeAll(plain, tls);
      } finally {
        for (Upstream upstream : new Upstream[] {hub, ghcr}) {
          if (upstream != null) {
            upstream.close();
          }
        }
      }
    }
  }

  @BeforeEach
  void freshRoot() throws IOException {
    root = Files.createDirectories(testDir.resolve("root"));
    scripts = new SetupScripts(Files.createDirectories(testDir.resolve("run")));
    hub.resetCounters();
    ghcr.resetCounters();
  }

  @Test
  void containerd_plainHttp_pullsThroughWhatTheScriptWrote() {
    runFetchedScript(plain, "containerd");
    Path hostsDir = root.resolve("etc/containerd/certs.d");
    assertThat(hostsDir.resolve("docker.io/hosts.toml"))
        .content()
        .contains("server = \"https://registry-1.docker.io\"")
        .contains("[host.\"" + plain.uri() + "\"]");
    double servedBefore = servedBytes(plain);

    String reference = "docker.io/library/ctd-plain:1";
    ctrPull("plain", hostsDir, reference);

    assertThat(containerd.images("plain")).containsEntry(reference, CONTAINERD_PLAIN.digest());
    assertServedBy(plain, servedBefore, CONTAINERD_PLAIN.blobBytes(), "library/ctd-plain");
  }

  @Test
  void podman_plainHttp_pullsThroughTheDropInAlone() {
    runFetchedScript(plain, "podman");
    Path dropIn = root.resolve("etc/containers/registries.conf.d/50-stevedore.conf");
    assertThat(dropIn).content().contains("location = \"" + authority(plain) + "\"");
    double servedBefore = servedBytes(plain);

    String reference = "docker.io/library/podman-plain:2";
    try (Podman podman = Podman.create()) {
      podman.useRegistriesConf(dropIn);
      podmanPull(podman, reference);

      assertThat(podman.digest(reference)).isEqualTo(PODMAN_PLAIN.digest());
    }
    assertServedBy(plain, servedBefore, PODMAN_PLAIN.blobBytes(), "library/podman-plain");
  }

  /** A second upstream: containerd names it with {@code ?ns=ghcr.io} from its own hosts.toml. */
  @Test
  void containerd_plainHttp_secondRegistry_pullsThroughItsOwnHostsToml() {
    runFetchedScript(plain, "containerd");
    Path hostsDir = root.resolve("etc/containerd/certs.d");
    assertThat(hostsDir.resolve("ghcr.io/hosts.toml"))
        .content()
        .contains("server = \"https://ghcr.io\"")
        .contains("[host.\"" + plain.uri() + "\"]");
    double servedBefore = servedBytes(plain);

    String reference = "ghcr.io/org/ctd-tool:5";
    ctrPull("ghcr", hostsDir, reference);

    assertThat(containerd.images("ghcr")).containsEntry(reference, CONTAINERD_GHCR.digest());
    assertServedBy(plain, ghcr, servedBefore, CONTAINERD_GHCR.blobBytes(), "org/ctd-tool");
    assertThat(hub.front().requestLog()).as("docker.io front").isEmpty();
  }

  /**
   * A second upstream through Podman, whose mirrors cannot send {@code ?ns=}: the drop-in names it
   * as the first path component of the mirror's location.
   */
  @Test
  void podman_plainHttp_secondRegistry_pullsThroughItsPathNamedMirror() {
    runFetchedScript(plain, "podman");
    Path dropIn = root.resolve("etc/containers/registries.conf.d/50-stevedore.conf");
    assertThat(dropIn)
        .content()
        .contains("prefix = \"ghcr.io\"")
        .contains("location = \"" + authority(plain) + "/ghcr.io\"");
    double servedBefore = servedBytes(plain);

    String reference = "ghcr.io/org/podman-tool:6";
    try (Podman podman = Podman.create()) {
      podman.useRegistriesConf(dropIn);
      podmanPull(podman, reference);

      assertThat(podman.digest(reference)).isEqualTo(PODMAN_GHCR.digest());
    }
    assertServedBy(plain, ghcr, servedBefore, PODMAN_GHCR.blobBytes(), "org/podman-tool");
    assertThat(hub.front().requestLog()).as("docker.io front").isEmpty();
  }

  @Test
  void containerd_tls_pinnedOneLiner_thenTrustsOnlyTheInstalledCa() {
    runPinnedOneLiner("containerd");
    Path hostsDir = root.resolve("etc/containerd/certs.d");
    assertThat(hostsDir.resolve("docker.io/hosts.toml"))
        .content()
        .contains("[host.\"" + tls.uri() + "\"]")
        .contains("ca = \"stevedore-ca.crt\"")
        .doesNotContain("skip_verify");
    assertThat(hostsDir.resolve("docker.io/stevedore-ca.crt"))
        .hasSameBinaryContentAs(work.resolve("tls-data/tls/ca.crt"));
    double servedBefore = servedBytes(tls);

    String reference = "docker.io/library/ctd-tls:3";
    ctrPull("tls", hostsDir, reference);

    assertThat(containerd.images("tls")).containsEntry(reference, CONTAINERD_TLS.digest());
    assertServedBy(tls, servedBefore, CONTAINERD_TLS.blobBytes(), "library/ctd-tls");
  }

  @Test
  void podman_tls_pinnedOneLiner_thenVerifiesWithTheInstalledCa() {
    runPinnedOneLiner("podman");
    Path dropIn = root.resolve("etc/containers/registries.conf.d/50-stevedore.conf");
    assertThat(dropIn)
        .content()
        .contains("location = \"" + authority(tls) + "\"")
        .doesNotContain("insecure");
    Path certDir = root.resolve("etc/containers/certs.d/" + authority(tls));
    assertThat(certDir.resolve("ca.crt"))
        .hasSameBinaryContentAs(work.resolve("tls-data/tls/ca.crt"));
    double servedBefore = servedBytes(tls);

    String reference = "docker.io/library/podman-tls:4";
    try (Podman podman = Podman.create()) {
      podman.useRegistriesConf(dropIn);
      podmanPull(podman, reference, "--tls-verify=true", "--cert-dir", certDir.toString());

      assertThat(podman.digest(reference)).isEqualTo(PODMAN_TLS.digest());
    }
    assertServedBy(tls, servedBefore, PODMAN_TLS.blobBytes(), "library/podman-tls");
  }

  /** The installed CA is what makes the TLS pulls work: with another CA, both refuse Stevedore. */
  @Test
  void tls_withAnotherCaThanTheInstalledOne_containerdAndPodmanRefuseTheServer() throws Exception {
    runPinnedOneLiner("containerd");
    runPinnedOneLiner("podman");
    String otherCa = TestPki.generate().certificatePem();
    Path hostsDir = root.resolve("etc/containerd/certs.d");
    Files.writeString(hostsDir.resolve("docker.io/stevedore-ca.crt"), otherCa);
    Path certDir = root.resolve("etc/containers/certs.d/" + authority(tls));
    Files.writeString(certDir.resolve("ca.crt"), otherCa);
    Path dropIn = root.resolve("etc/containers/registries.conf.d/50-stevedore.conf");

    ProcessResult ctr =
        containerd.pull("untrusted", hostsDir, "docker.io/library/ctd-tls:3", "--all-platforms");
    ProcessResult podman;
    try (Podman client = Podman.create()) {
      client.useRegistriesConf(dropIn);
      podman =
          client.pull(
              "docker.io/library/podman-tls:4",
              "--tls-verify=true",
              "--cert-dir",
              certDir.toString());
    }

    assertThat(ctr.succeeded()).as(ctr.output()).isFalse();
    assertThat(ctr.output()).contains("x509:");
    assertThat(podman.succeeded()).as(podman.output()).isFalse();
    assertThat(podman.output()).contains("x509:");
    assertThat(hub.front().requestLog()).as("nothing reached the upstream").isEmpty();
    assertThat(ghcr.front().requestLog()).as("nothing reached the upstream").isEmpty();
  }

  /**
   * The one-liner's {@code -k} is safe only because of the pin: pointed at another TLS server (a
   * man in the middle with its own key), curl refuses before sh reads a line, so nothing is
   * written.
   */
  @Test
  void pinnedOneLiner_againstAnotherTlsServer_curlRefusesAndNothingIsWritten() throws Exception {
    String oneLiner = SetupScripts.oneLiner(index(tls), "podman");
    try (InProcessStevedore impostor =
        InProcessStevedore.on(testDir.resolve("impostor-data"))
            .upstream("docker.io", hub.uri())
            .flag("--tls-self-signed")
            .start()) {
      String redirected = oneLiner.replace(tls.uri().toString(), impostor.uri().toString());
      assertThat(redirected).isNotEqualTo(oneLiner).contains(pin(oneLiner));

      ProcessResult curl = scripts.runCurlOf(redirected);
      ProcessResult pipeline = scripts.runOneLiner(redirected, root);

      assertThat(curl.exitCode())
          .as("curl's 'public key does not match pinned public key': " + curl.output())
          .isEqualTo(90);
      assertThat(pipeline.output()).contains("pinned public key");
      try (Stream<Path> written = Files.list(root)) {
        assertThat(written).as("nothing under --root").isEmpty();
      }
      assertThat(scripts.runCurlOf(oneLiner).exitCode()).as("the real server passes").isZero();
    }
  }

  /** Fetches {@code /setup/KIND} with the JDK client and runs it with {@code --root}. */
  private void runFetchedScript(InProcessStevedore proxy, String kind) {
    String script = SetupScripts.get(client(), proxy.uri().resolve("/setup/" + kind));
    scripts.run(script, root).requireSuccess();
  }

  /** Runs the one-liner {@code GET /setup/} prints for {@code kind} (pinned curl, {@code -k}). */
  private void runPinnedOneLiner(String kind) {
    String oneLiner = SetupScripts.oneLiner(index(tls), kind);
    assertThat(oneLiner)
        .startsWith("curl -fsSL --pinnedpubkey 'sha256//")
        .contains(" -k " + tls.uri() + "/setup/" + kind);
    ProcessResult result = scripts.runOneLiner(oneLiner, root).requireSuccess();
    assertThat(result.output()).contains("stevedore setup: wrote ");
  }

  /** The index a node's user sees, read with a client that trusts the server's CA. */
  private static String index(InProcessStevedore proxy) {
    return SetupScripts.get(clientFor(proxy), proxy.uri().resolve("/setup/"));
  }

  private void ctrPull(String namespace, Path hostsDir, String reference) {
    containerd
        .pull(namespace, hostsDir, reference, "--all-platforms")
        .requireSuccess(() -> upstreamsLog() + "\n== containerd log ==\n" + containerd.log());
  }

  private static void podmanPull(Podman podman, String reference, String... extra) {
    podman.pull(reference, extra).requireSuccess(NodeSetupIT::upstreamsLog);
  }

  private static String upstreamsLog() {
    return "== docker.io upstream ==\n"
        + hub.diagnostics()
        + "\n== ghcr.io upstream ==\n"
        + ghcr.diagnostics();
  }

  /** Stevedore served at least the image's blobs, and fetched its manifest from the upstream. */
  private static void assertServedBy(
      InProcessStevedore proxy, double servedBefore, long blobBytes, String repository) {
    assertServedBy(proxy, hub, servedBefore, blobBytes, repository);
  }

  /** The same, for an image of {@code upstream}. */
  private static void assertServedBy(
      InProcessStevedore proxy,
      Upstream upstream,
      double servedBefore,
      long blobBytes,
      String repository) {
    assertThat(servedBytes(proxy) - servedBefore)
        .as("stevedore_served_bytes_total grew by the blobs it served")
        .isGreaterThanOrEqualTo((double) blobBytes);
    assertThat(upstream.front().requestLog())
        .as("upstream front")
        .anyMatch(line -> line.startsWith("FRONT GET /v2/" + repository + "/manifests/"));
  }

  /** The sum of every {@code stevedore_served_bytes_total} sample of {@code /metrics}. */
  private static double servedBytes(InProcessStevedore proxy) {
    String metrics = SetupScripts.get(clientFor(proxy), proxy.uri().resolve("/metrics"));
    Matcher matcher = SERVED_BYTES.matcher(metrics);
    double sum = 0;
    while (matcher.find()) {
      sum += Double.parseDouble(matcher.group(2));
    }
    return sum;
  }

  private static String pin(String oneLiner) {
    Matcher matcher = PIN.matcher(oneLiner);
    assertThat(matcher.find()).as(oneLiner).isTrue();
    return matcher.group(1);
  }

  /** {@code 127.0.0.1:PORT}. */
  private static String authority(InProcessStevedore proxy) {
    return proxy.uri().getHost() + ":" + proxy.uri().getPort();
  }

  private static HttpClient client() {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  /**
   * A client for the test's own reads of {@code proxy} (index, metrics): over TLS it trusts exactly
   * the CA {@code --tls-self-signed} generated; what a node uses goes through curl.
   */
  private static HttpClient clientFor(InProcessStevedore proxy) {
    if (proxy != tls) {
      return client();
    }
    try {
      return HttpClient.newBuilder()
          .sslContext(TrustedCa.sslContext(work.resolve("tls-data/tls/ca.crt")))
          .connectTimeout(Duration.ofSeconds(10))
          .build();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot trust the generated CA", e);
    }
  }

  private static void closeAll(InProcessStevedore... proxies) {
    for (InProcessStevedore proxy : proxies) {
      if (proxy != null) {
        proxy.close();
      }
    }
  }
}
