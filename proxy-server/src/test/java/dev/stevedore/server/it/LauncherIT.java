package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.config.ServeSettingsResolver;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ./stevedore} launcher and the built jar, run as a user runs them. */
class LauncherIT {
  private static final Path REPO_ROOT =
      Path.of(System.getProperty("stevedore.jar", "proxy-server/target/stevedore.jar"))
          .toAbsolutePath()
          .getParent()
          .getParent()
          .getParent();

  @TempDir Path work;

  private Process launch(Path log, String... args) throws IOException {
    return launch(log, Map.of(), args);
  }

  /** Runs {@code ./stevedore ARGS} with {@code env} added to this JVM's environment. */
  private Process launch(Path log, Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(REPO_ROOT.resolve("stevedore").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return builder.start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void awaitReady(URI base, Process process, Path log) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new AssertionError("stevedore exited early:\n" + Files.readString(log));
      }
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(base.resolve("/v2/")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("stevedore did not become ready:\n" + Files.readString(log));
  }

  /**
   * The Docker Hub credentials {@code serve} reads from its environment reach the token server (it
   * refuses anonymous pulls here, so the pull proves they were used) and never the log, even at
   * DEBUG: neither the password nor the Basic header made of it.
   */
  @Test
  void serve_pullsMultiPlatformImageFromTokenAuthUpstream_withCredentialsItNeverLogs()
      throws Exception {
    try (Upstream upstream = Upstream.start(work.resolve("upstream"))) {
      TestImage image = new TestImages(11).layerSizes(20_000, 60_000).ociIndex();
      upstream.push("library/hello", "latest", image);
      upstream.tokens().setAnonymousPull(false);
      upstream.tokens().reset();
      String username = upstream.tokens().username();
      String password = upstream.tokens().password();
      int port = freePort();
      Path log = work.resolve("stevedore.log");
      Process stevedore =
          launch(
              log,
              Map.of(
                  ServeSettingsResolver.ENV_USERNAME,
                  username,
                  ServeSettingsResolver.ENV_TOKEN,
                  password,
                  "STEVEDORE_LOG_LEVEL",
                  "DEBUG"),
              "serve",
              "--listen",
              "127.0.0.1:" + port,
              "--data",
              work.resolve("data").toString(),
              "--upstream",
              "docker.io=" + upstream.uri());
      try {
        URI base = URI.create("http://127.0.0.1:" + port);
        awaitReady(base, stevedore, log);

        Path pulled = work.resolve("pulled");
        new Skopeo(work)
            .copyAll(Skopeo.dockerRef(base, "hello", "latest"), pulled)
            .requireSuccess();

        assertThat(Digest.sha256(Files.readAllBytes(pulled.resolve("manifest.json"))).toString())
            .isEqualTo(image.digest());
        assertThat(upstream.tokens().identities())
            .as("every token was asked for with the credentials from the environment")
            .isNotEmpty()
            .containsOnly(username);
      } finally {
        stevedore.destroy();
        stevedore.waitFor(10, TimeUnit.SECONDS);
      }
      String output = Files.readString(log);
      assertThat(output).as("the DEBUG log").contains(" DEBUG ");
      assertThat(output)
          .doesNotContain(password)
          .doesNotContain(
              Base64.getEncoder()
                  .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void serve_portInUse_exitsWithCode2AndOneLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Path log = work.resolve("busy.log");
      Process stevedore =
          launch(
              log,
              "serve",
              "--listen",
              "127.0.0.1:" + taken.getLocalPort(),
              "--data",
              work.toString());

      assertThat(stevedore.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(stevedore.exitValue()).isEqualTo(2);
      List<String> problems =
          Files.readString(log).lines().filter(line -> !line.contains(" INFO ")).toList();
      assertThat(problems).hasSize(1);
      assertThat(problems.get(0))
          .startsWith("stevedore: cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
  }

  @Test
  void serve_unknownConfigKey_exitsWithCode2NamingTheKey() throws Exception {
    Path config = work.resolve("stevedore.yml");
    Files.writeString(config, "listen: 127.0.0.1:0\nlisten-port: 5\n");
    Path log = work.resolve("config.log");

    Process stevedore = launch(log, "serve", "--config", config.toString());

    assertThat(stevedore.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(stevedore.exitValue()).isEqualTo(2);
    assertThat(Files.readString(log).strip())
        .isEqualTo("stevedore: unknown key 'listen-port' in config file " + config + " (line 2)");
  }
}
