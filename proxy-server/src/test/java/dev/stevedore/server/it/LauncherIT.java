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

  private static final Path ARCHIVE = REPO_ROOT.resolve("proxy-server/target/stevedore.jsa");

  /** How {@code -Xlog:class+load} names a class mapped from the dynamic (top) archive layer. */
  private static final String FROM_ARCHIVE = "source: shared objects file";

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

  /** Runs {@code ./stevedore ARGS} to its end and returns its output (stdout and stderr). */
  private String runToEnd(Map<String, String> env, String... args) throws Exception {
    Path log = Files.createTempFile(work, "run-", ".log");
    Process process = launch(log, env, args);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("finished").isTrue();
    String output = Files.readString(log);
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  @Test
  void warmUp_recordsTheArchive_andLeavesNothingElse() throws Exception {
    Path cwd = Files.createDirectory(work.resolve("cwd"));
    Path archive = Files.createDirectory(work.resolve("archive")).resolve("stevedore.jsa");
    Path log = work.resolve("warm-up.log");
    ProcessBuilder builder =
        new ProcessBuilder(
                REPO_ROOT.resolve("stevedore").toString(),
                "warm-up",
                "--archive",
                archive.toString())
            .directory(cwd.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Process process = builder.start();

    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(Files.readString(log)).isZero();
    try (var left = Files.list(cwd)) {
      assertThat(left).isEmpty();
    }
    try (var beside = Files.list(archive.getParent())) {
      assertThat(beside).containsExactly(archive);
    }
    assertThat(archive).isNotEmptyFile();
  }

  /**
   * The first start records the class-data archive (saying so on stderr), the next one maps the
   * classes from it instead of loading them from the jar.
   */
  @Test
  void launcher_recordsTheArchiveOnce_andTheNextStartUsesIt() throws Exception {
    Files.deleteIfExists(ARCHIVE);

    String first = runToEnd(Map.of(), "--version");

    assertThat(first).contains("recording the class-data archive");
    assertThat(ARCHIVE).isNotEmptyFile();
    Path classes = work.resolve("classes.log");
    String second =
        runToEnd(
            Map.of("STEVEDORE_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes), "--version");
    assertThat(second).doesNotContain("recording").startsWith("stevedore ");
    assertThat(Files.readString(classes))
        .contains("dev.stevedore.server.cli.StevedoreCommand " + FROM_ARCHIVE)
        .as("picocli's Java 5 error handler interfaces are archived (no lambda links them)")
        .contains("picocli.CommandLine$IParameterExceptionHandler " + FROM_ARCHIVE)
        .contains("picocli.CommandLine$IExecutionExceptionHandler " + FROM_ARCHIVE);
  }

  /**
   * A JVM that cannot use the archive (recorded by another JDK, or with other heap flags) starts
   * from the jar as if there were none, and says nothing about it.
   */
  @Test
  void launcher_jvmThatCannotUseTheArchive_startsNormallyAndQuietly() throws Exception {
    runToEnd(Map.of(), "--version"); // records the archive if it is missing
    String expected = runToEnd(Map.of(), "--version");
    assertThat(ARCHIVE).isNotEmptyFile();

    List<Map<String, String>> mismatches = new ArrayList<>();
    Path classes = work.resolve("mismatch-classes.log");
    String logClasses = " -Xlog:class+load=info:file=" + classes;
    mismatches.add(Map.of("STEVEDORE_JAVA_OPTS", "-XX:-UseCompressedOops" + logClasses));
    for (Path otherJdk : otherJdks()) {
      mismatches.add(
          Map.of(
              "PATH",
              otherJdk.resolve("bin") + java.io.File.pathSeparator + System.getenv("PATH"),
              "STEVEDORE_JAVA_OPTS",
              logClasses.strip()));
    }
    for (Map<String, String> mismatch : mismatches) {
      String output = runToEnd(mismatch, "--version");
      assertThat(output).as("%s", mismatch).isEqualTo(expected);
      assertThat(Files.readString(classes))
          .as("%s", mismatch)
          .contains("dev.stevedore.server.cli.StevedoreCommand source: file:")
          .doesNotContain(FROM_ARCHIVE);
    }
  }

  /** JDKs in /usr/lib/jvm of another feature version than the one running the tests. */
  private static List<Path> otherJdks() throws IOException {
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return List.of();
    }
    String feature = "JAVA_VERSION=\"" + Runtime.version().feature();
    try (var dirs = Files.list(jvms)) {
      return dirs.filter(dir -> Files.isExecutable(dir.resolve("bin/java")))
          .filter(dir -> Files.isRegularFile(dir.resolve("release")))
          .filter(
              dir -> {
                try {
                  return Files.readAllLines(dir.resolve("release")).stream()
                      .filter(line -> line.startsWith("JAVA_VERSION="))
                      .noneMatch(
                          line ->
                              line.startsWith(feature + "\"") || line.startsWith(feature + "."));
                } catch (IOException e) {
                  return false;
                }
              })
          .toList();
    }
  }
}
