package dev.stevedore.server.setup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.tls.ClientTrust;
import dev.stevedore.server.tls.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one-liners and scripts, without a server: what they name and that {@code sh} reads them. */
class NodeSetupTest {
  private static final KeyPair KEYS = TestCertificates.ec();
  private static final ClientTrust OWN_CA =
      new ClientTrust(TestCertificates.selfSigned("ca", KEYS), true, "sha256//cGlu");
  private static final MirrorAddress PLAIN =
      MirrorAddress.fromHost(Optional.of("cache.lan:5000"), false).orElseThrow();
  private static final MirrorAddress TLS =
      MirrorAddress.fromHost(Optional.of("cache.lan:5000"), true).orElseThrow();

  @TempDir Path dir;

  private static NodeSetup setup(Optional<ClientTrust> trust) {
    return new NodeSetup(
        List.of("docker.io", "ghcr.io", "quay"), "docker.io", Optional.empty(), trust);
  }

  @Test
  void oneLiner_plain_isCurlIntoSudoSh() {
    assertThat(setup(Optional.empty()).oneLiner(NodeKind.MICROK8S, PLAIN))
        .isEqualTo("curl -fsSL http://cache.lan:5000/setup/microk8s | sudo sh");
  }

  @Test
  void oneLiner_ownCa_pinsTheServersKey_becauseTheNodeTrustsNoCaYet() {
    assertThat(setup(Optional.of(OWN_CA)).oneLiner(NodeKind.K3S, TLS))
        .isEqualTo(
            "curl -fsSL --pinnedpubkey 'sha256//cGlu' -k https://cache.lan:5000/setup/k3s | sudo sh");
  }

  @Test
  void oneLiner_certificateOfTheUsers_isPlainCurl() {
    ClientTrust users = new ClientTrust(OWN_CA.anchor(), false, "sha256//cGlu");

    assertThat(setup(Optional.of(users)).oneLiner(NodeKind.DOCKER, TLS))
        .isEqualTo("curl -fsSL https://cache.lan:5000/setup/docker | sudo sh");
  }

  @Test
  void address_advertisedWins_overTheHost() {
    NodeSetup advertised =
        new NodeSetup(
            List.of("docker.io"),
            "docker.io",
            Optional.of(URI.create("https://cache.example.com")),
            Optional.empty());

    assertThat(advertised.address(Optional.of("10.0.0.7:5000")).map(MirrorAddress::url))
        .contains("https://cache.example.com");
    assertThat(
            setup(Optional.empty()).address(Optional.of("10.0.0.7:5000")).map(MirrorAddress::url))
        .contains("http://10.0.0.7:5000");
    assertThat(setup(Optional.empty()).address(Optional.empty())).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(NodeKind.class)
  void script_isValidShell_plainAndWithItsCa(NodeKind kind) throws Exception {
    for (String script :
        List.of(
            setup(Optional.empty()).script(kind, PLAIN),
            setup(Optional.of(OWN_CA)).script(kind, TLS))) {
      assertThat(script).startsWith("#!/bin/sh\n");
      assertThat(syntaxCheck(script)).as(script).isZero();
    }
  }

  @Test
  void script_withItsCa_installsItWhereEachClientReadsIt() {
    NodeSetup setup = setup(Optional.of(OWN_CA));

    assertThat(setup.script(NodeKind.CONTAINERD, TLS))
        .contains(OWN_CA.anchorPem())
        .contains("sd_stage_ca /etc/containerd/certs.d/docker.io/stevedore-ca.crt")
        .contains("  ca = \"stevedore-ca.crt\"");
    assertThat(setup.script(NodeKind.MICROK8S, TLS))
        .contains("sd_stage_ca /var/snap/microk8s/current/args/certs.d/ghcr.io/stevedore-ca.crt");
    assertThat(setup.script(NodeKind.K3S, TLS))
        .contains("sd_stage_ca /etc/rancher/k3s/stevedore-ca.crt restart")
        .contains("ca_file: \"/etc/rancher/k3s/stevedore-ca.crt\"");
    assertThat(setup.script(NodeKind.DOCKER, TLS))
        .contains("sd_stage_ca /etc/docker/certs.d/cache.lan:5000/ca.crt")
        .contains("-v INSECURE='' ");
    assertThat(setup.script(NodeKind.PODMAN, TLS))
        .contains("sd_stage_ca /etc/containers/certs.d/cache.lan:5000/ca.crt")
        .doesNotContain("insecure = true");
  }

  @Test
  void podman_mirrorsOnlyRegistriesAPathCanName() {
    assertThat(setup(Optional.empty()).script(NodeKind.PODMAN, PLAIN))
        .contains("location = \"cache.lan:5000/ghcr.io\"")
        .doesNotContain("quay");
  }

  @Test
  void docker_withAnotherDefaultRegistry_saysDockerMirrorsTheHubOnly() {
    String script =
        new NodeSetup(List.of("ghcr.io"), "ghcr.io", Optional.empty(), Optional.empty())
            .script(NodeKind.DOCKER, PLAIN);

    assertThat(script).contains("Docker mirrors Docker Hub only").doesNotContain("daemon.json\n");
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.2, 0.5, 0.9, 0.999})
  void script_cutShort_runsNothing(double kept) throws Exception {
    String script = setup(Optional.empty()).script(NodeKind.PODMAN, PLAIN);
    Path cut =
        Files.writeString(
            dir.resolve("cut.sh"), script.substring(0, (int) (script.length() * kept)));
    Path root = Files.createDirectories(dir.resolve("root"));

    Process sh =
        new ProcessBuilder("sh", cut.toString(), "--root", root.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("out").toFile())
            .start();
    assertThat(sh.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(sh.exitValue()).isNotZero();
    assertThat(Files.readString(dir.resolve("out"))).doesNotContain("stevedore setup:");
    try (var files = Files.list(root)) {
      assertThat(files).isEmpty();
    }
  }

  private int syntaxCheck(String script) throws IOException, InterruptedException {
    Path file = Files.writeString(dir.resolve("script.sh"), script);
    Process sh = new ProcessBuilder("sh", "-n", file.toString()).inheritIO().start();
    assertThat(sh.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return sh.exitValue();
  }
}
