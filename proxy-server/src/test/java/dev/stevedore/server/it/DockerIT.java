package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.DockerEngine;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.ProcessResult;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Docker Engine pulls a Docker Hub image through Stevedore configured as its registry
 * mirror, the setup the README gives ({@code registry-mirrors} + {@code insecure-registries}).
 * Docker uses a mirror for docker.io images only and falls back to Docker Hub itself on any mirror
 * error; the emulated Docker Hub is a local registry that alone has the test image (random
 * content), so the digest Docker records proves the image came through Stevedore, and the
 * upstream's front shows that Stevedore fetched it.
 */
class DockerIT {
  private static final TestImages IMAGES = new TestImages(1717).layerSizes(20_000, 50_000);
  private static final TestImage IMAGE = IMAGES.dockerManifestList();

  @TempDir static Path work;
  private static Upstream hub;
  private static InProcessStevedore proxy;
  private static DockerEngine docker;

  @BeforeAll
  static void start() throws Exception {
    hub = Upstream.start(Files.createDirectories(work.resolve("docker.io")));
    hub.push("library/docker-mirrored", "1", IMAGE);
    proxy =
        InProcessStevedore.on(work.resolve("stevedore-data"))
            .upstream("docker.io", hub.uri())
            .start();
    docker = DockerEngine.start(proxy.uri());
  }

  @AfterAll
  static void stop() {
    try {
      if (docker != null) {
        docker.close();
      }
    } finally {
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
  }

  @Test
  void pull_dockerHubImage_throughRegistryMirror() {
    ProcessResult result = docker.pull("library/docker-mirrored:1");
    if (!result.succeeded()) {
      throw new AssertionError(
          "`docker pull` failed (exit "
              + result.exitCode()
              + "):\n"
              + result.output()
              + "\n== docker.io front ==\n"
              + String.join("\n", hub.front().requestLog())
              + "\n== dockerd log ==\n"
              + docker.log());
    }

    assertThat(result.output()).contains("Digest: " + IMAGE.digest());
    assertThat(docker.repoDigests("docker-mirrored:1"))
        .containsExactly("docker-mirrored@" + IMAGE.digest());
    assertThat(hub.front().requestLog())
        .as("docker.io front")
        .anyMatch(line -> line.startsWith("FRONT GET /v2/library/docker-mirrored/manifests/"));
  }
}
