package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.Podman;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Podman pulls through Stevedore, set up the two ways the README gives: as a {@code
 * registries.conf} mirror of docker.io, and by naming Stevedore in the image reference. The
 * emulated Docker Hub is a local registry that alone has the test images (random content), so the
 * digest Podman reports proves the image came through Stevedore; the upstream's front shows that
 * Stevedore fetched it. Each test uses a fresh Podman storage, so it downloads everything.
 */
class PodmanIT {
  private static final TestImages IMAGES = new TestImages(17).layerSizes(20_000, 50_000);
  private static final TestImage MIRRORED = IMAGES.dockerManifestList();
  private static final TestImage DIRECT = IMAGES.ociIndex();

  @TempDir static Path work;
  private static Upstream hub;
  private static InProcessStevedore proxy;
  private Podman podman;

  @BeforeAll
  static void start() throws Exception {
    hub = Upstream.start(Files.createDirectories(work.resolve("docker.io")));
    hub.push("library/podman-mirrored", "1", MIRRORED);
    hub.push("library/podman-direct", "2", DIRECT);
    proxy =
        InProcessStevedore.on(work.resolve("stevedore-data"))
            .upstream("docker.io", hub.uri())
            .start();
  }

  @AfterAll
  static void stop() {
    try {
      if (proxy != null) {
        proxy.close();
      }
    } finally {
      if (hub != null) {
        hub.close();
      }
    }
  }

  @BeforeEach
  void freshPodman() {
    podman = Podman.create();
    hub.resetCounters();
  }

  @AfterEach
  void removePodman() {
    podman.close();
  }

  @Test
  void pull_dockerHubImage_throughRegistriesConfMirror() {
    podman.mirror("docker.io", stevedore());

    pull("docker.io/library/podman-mirrored:1");

    assertThat(podman.digest("docker.io/library/podman-mirrored:1")).isEqualTo(MIRRORED.digest());
    assertThat(hub.front().requestLog())
        .as("docker.io front")
        .anyMatch(line -> line.startsWith("FRONT GET /v2/library/podman-mirrored/manifests/"));
  }

  @Test
  void pull_directFromStevedore_withTlsVerifyOff() {
    String reference = stevedore() + "/library/podman-direct:2";

    pull(reference, "--tls-verify=false");

    assertThat(podman.digest(reference)).isEqualTo(DIRECT.digest());
    assertThat(hub.front().requestLog())
        .as("docker.io front")
        .anyMatch(line -> line.startsWith("FRONT GET /v2/library/podman-direct/manifests/"));
  }

  private void pull(String reference, String... extra) {
    podman
        .pull(reference, extra)
        .requireSuccess(
            () -> "== docker.io front ==\n" + String.join("\n", hub.front().requestLog()));
  }

  /** {@code 127.0.0.1:PORT}. */
  private static String stevedore() {
    return proxy.uri().getHost() + ":" + proxy.uri().getPort();
  }
}
