package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.DockerEngine;
import dev.stevedore.server.it.support.ProcessResult;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.StevedoreProcess;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's file system as the Dockerfile's build stage assembles it ({@code
 * deploy/docker/jlink-runtime.sh}, {@code rootfs.sh}), from the JDK and C libraries of this machine
 * instead of {@code eclipse-temurin} (no image can be pulled here), imported as an image and built
 * on with the Dockerfile's own image stage (user, entrypoint, volume) by a real Docker Engine: it
 * serves a pull as uid 10001 on Netty's epoll transport, so a C library the runtime or the jar's
 * native code needs and {@code rootfs.sh} leaves out fails here.
 */
class ScratchImageIT {
  private static final Path REPOSITORY = StevedoreProcess.jar().getParent().getParent().getParent();
  private static final String IMAGE = "stevedore:scratch-it";
  private static final String ROOTFS = "stevedore-rootfs:scratch-it";
  private static final TestImage WEB = new TestImages(21).layerSizes(50_000, 100_000).ociIndex();

  @TempDir static Path work;
  private static Upstream upstream;
  private static DockerEngine docker;

  @BeforeAll
  static void buildImage() throws Exception {
    Path context = Files.createDirectories(work.resolve("context"));
    Path rootfs = work.resolve("rootfs");
    Path stevedore = Files.createDirectories(rootfs.resolve("opt/stevedore"));
    String jdk = System.getProperty("java.home");
    run(List.of("sh", script("jlink-runtime.sh"), jdk, rootfs.resolve("opt/java").toString()));
    Files.copy(StevedoreProcess.jar(), stevedore.resolve("stevedore.jar"));
    Files.copy(REPOSITORY.resolve("deploy/jvm/jvm.options"), stevedore.resolve("jvm.options"));
    run(List.of("env", "JAVA_HOME=" + jdk, "sh", script("rootfs.sh"), rootfs.toString()));
    // The file system as one layer with its owners (COPY from a build context would make every
    // file root's; the Dockerfile's COPY --from keeps the build stage's, as import does).
    Path tar = work.resolve("rootfs.tar");
    run(List.of("tar", "-C", rootfs.toString(), "-cf", tar.toString(), "."));
    Files.writeString(context.resolve("Dockerfile"), "FROM " + ROOTFS + "\n" + imageStage());

    upstream = Upstream.start(Files.createDirectories(work.resolve("upstream")));
    upstream.push("library/web", "1", WEB);
    docker = DockerEngine.start(upstream.uri());
    docker.docker(List.of("import", tar.toString(), ROOTFS)).requireSuccess();
    docker
        .docker(List.of("build", "--network", "none", "-t", IMAGE, context.toString()))
        .requireSuccess();
  }

  @AfterAll
  static void stop() {
    if (docker != null) {
      docker.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void image_servesAPullAsUser10001OnEpoll() throws Exception {
    int port = freePort();
    String container =
        docker
            .docker(
                List.of(
                    "run",
                    "-d",
                    "--network",
                    "host",
                    IMAGE,
                    "serve",
                    "--data",
                    "/var/lib/stevedore",
                    "--listen",
                    "127.0.0.1:" + port,
                    "--upstream",
                    "docker.io=" + upstream.uri()))
            .requireSuccess()
            .output()
            .strip();
    try {
      URI uri = URI.create("http://127.0.0.1:" + port);
      awaitReady(uri, container);
      Path pulled = work.resolve("pulled");

      new Skopeo(work).copyAll(Skopeo.dockerRef(uri, "library/web", "1"), pulled).requireSuccess();

      assertThat(Digest.sha256(Files.readAllBytes(pulled.resolve("manifest.json"))).toString())
          .isEqualTo(WEB.digest());
      for (Blob blob : WEB.blobs()) {
        assertThat(pulled.resolve(blob.digest().substring("sha256:".length()))).exists();
      }
      String pid =
          docker
              .docker(List.of("inspect", "--format", "{{.State.Pid}}", container))
              .requireSuccess()
              .output()
              .strip();
      assertThat(Files.readAllLines(Path.of("/proc", pid, "status")))
          .filteredOn(line -> line.startsWith("Uid:") || line.startsWith("Gid:"))
          .allSatisfy(line -> assertThat(line.split("\\s+")).contains("10001"));
      assertThat(logs(container))
          .as("Netty's native transport loads: its C libraries are in the image")
          .contains("[epollEventLoopGroup-")
          .doesNotContain("NoClassDefFoundError", "UnsatisfiedLinkError");
    } finally {
      docker.docker(List.of("rm", "-f", container));
    }
  }

  /** The Dockerfile's image stage: its lines after the build stage's file system is copied in. */
  private static String imageStage() throws IOException {
    String dockerfile = Files.readString(REPOSITORY.resolve("deploy/docker/Dockerfile"));
    String copy = "COPY --from=jdk /rootfs/ /\n";
    assertThat(dockerfile).contains(copy);
    return dockerfile.substring(dockerfile.indexOf(copy) + copy.length());
  }

  private static String script(String name) {
    return REPOSITORY.resolve("deploy/docker").resolve(name).toString();
  }

  private static String logs(String container) {
    return docker.docker(List.of("logs", container)).output();
  }

  private static void awaitReady(URI uri, String container) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      try {
        HttpResponse<Void> response =
            http.send(
                HttpRequest.newBuilder(uri.resolve("/v2/")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the container did not answer /v2/:\n" + logs(container));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static ProcessResult run(List<String> command) throws IOException {
    Path log = Files.createTempFile(work, "run-", ".log");
    return ProcessResult.run(command, work, log, Duration.ofMinutes(3), env -> {}).requireSuccess();
  }
}
