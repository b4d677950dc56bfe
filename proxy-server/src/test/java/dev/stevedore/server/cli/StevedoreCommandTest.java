package dev.stevedore.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs the command line in-process with System.out and System.err captured. */
class StevedoreCommandTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;

  @BeforeEach
  void captureOutput() {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreOutput() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** Asserts stderr is one line starting {@code stevedore:} and holding no stack trace. */
  private void assertOneLineError() {
    assertThat(err().lines()).as("stderr: " + err()).hasSize(1);
    assertThat(err())
        .startsWith("stevedore: ")
        .doesNotContain("\tat ")
        .doesNotContain("Caused by")
        .doesNotContain("ConfigException");
  }

  // --- help and version ---

  @Test
  void help_exitsZeroAndListsServe() {
    int code = StevedoreCommand.run("--help");

    assertThat(code).isZero();
    assertThat(out()).contains("stevedore").contains("serve");
  }

  @Test
  void serveHelp_exitsZeroAndMentionsEveryOption() {
    int code = StevedoreCommand.run("serve", "--help");

    assertThat(code).isZero();
    assertThat(out())
        .contains("--config")
        .contains("--listen")
        .contains("--data")
        .contains("--upstream")
        .contains("--credentials-file")
        .contains("--tag-ttl");
  }

  @Test
  void helpCommand_forServe_showsServeOptions() {
    int code = StevedoreCommand.run("help", "serve");

    assertThat(code).isZero();
    assertThat(out()).contains("--tag-ttl");
  }

  @Test
  void version_exitsZeroAndNamesStevedore() {
    int code = StevedoreCommand.run("--version");

    assertThat(code).isZero();
    assertThat(out()).startsWith("stevedore ");
  }

  // --- bad usage ---

  @Test
  void noCommand_exitsTwoSuggestingServe() {
    int code = StevedoreCommand.run(new String[0]);

    assertThat(code).isEqualTo(2);
    assertThat(err()).contains("missing command").contains("serve");
  }

  @Test
  void unknownOption_exitsTwoNamingIt() {
    int code = StevedoreCommand.run("--bogus");

    assertThat(code).isEqualTo(2);
    assertThat(err()).contains("--bogus").contains("--help").doesNotContain("\tat ");
  }

  @Test
  void unknownServeOption_exitsTwoNamingIt() {
    int code = StevedoreCommand.run("serve", "--port", "5000");

    assertThat(code).isEqualTo(2);
    assertThat(err()).contains("--port").contains("stevedore serve --help");
  }

  @Test
  void unknownCommand_exitsTwo() {
    int code = StevedoreCommand.run("pull");

    assertThat(code).isEqualTo(2);
    assertThat(err()).contains("pull");
  }

  @Test
  void optionWithoutValue_exitsTwo() {
    int code = StevedoreCommand.run("serve", "--tag-ttl");

    assertThat(code).isEqualTo(2);
    assertThat(err()).contains("--tag-ttl");
  }

  // --- bad configuration: one line, exit 2, nothing started ---

  @Test
  void serve_badTagTtl_exitsTwoWithOneLine() {
    int code = StevedoreCommand.run("serve", "--data", dir.toString(), "--tag-ttl", "banana");

    assertThat(code).isEqualTo(2);
    assertOneLineError();
    assertThat(err()).contains("banana");
  }

  @Test
  void serve_ftpUpstream_exitsTwoWithOneLine() {
    int code =
        StevedoreCommand.run("serve", "--data", dir.toString(), "--upstream", "docker.io=ftp://x");

    assertThat(code).isEqualTo(2);
    assertOneLineError();
    assertThat(err()).contains("ftp://x");
  }

  @Test
  void serve_upstreamWithoutEquals_exitsTwo() {
    int code = StevedoreCommand.run("serve", "--data", dir.toString(), "--upstream", "docker.io");

    assertThat(code).isEqualTo(2);
    assertOneLineError();
    assertThat(err()).contains("NAME=URL");
  }

  @Test
  void serve_missingConfigFile_exitsTwoNamingIt() {
    int code = StevedoreCommand.run("serve", "--config", "/nonexistent.yml");

    assertThat(code).isEqualTo(2);
    assertOneLineError();
    assertThat(err()).contains("/nonexistent.yml");
  }

  @Test
  void serve_unknownKeyInConfigFile_exitsTwoNamingKey() throws IOException {
    Path config = Files.writeString(dir.resolve("stevedore.yml"), "colour: blue\n");

    int code = StevedoreCommand.run("serve", "--config", config.toString());

    assertThat(code).isEqualTo(2);
    assertOneLineError();
    assertThat(err()).contains("'colour'").contains(config.toString());
  }

  @Test
  void serve_badListenAddress_exitsTwo() {
    int code = StevedoreCommand.run("serve", "--data", dir.toString(), "--listen", "localhost");

    assertThat(code).isEqualTo(2);
    assertOneLineError();
    assertThat(err()).contains("'localhost'");
  }

  @Test
  void serve_unreadableCredentialsFile_exitsTwoNamingIt() {
    Path missing = dir.resolve("missing.json");

    int code =
        StevedoreCommand.run(
            "serve", "--data", dir.toString(), "--credentials-file", missing.toString());

    assertThat(code).isEqualTo(2);
    assertOneLineError();
    assertThat(err()).contains(missing.toString());
  }

  @Test
  @Timeout(60)
  void serve_listenAddressInUse_exitsTwoNamingAddress() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      String address = "127.0.0.1:" + taken.getLocalPort();

      int code =
          StevedoreCommand.run(
              "serve", "--data", dir.resolve("data").toString(), "--listen", address);

      assertThat(code).isEqualTo(2);
      assertThat(err()).contains("cannot listen on " + address).doesNotContain("\tat ");
    }
  }

  @Test
  @Timeout(60)
  void serve_listenAddressInUse_leavesNoEventLoopThreads() throws Exception {
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int code =
          StevedoreCommand.run(
              "serve",
              "--data",
              dir.resolve("data").toString(),
              "--listen",
              "127.0.0.1:" + taken.getLocalPort());
      assertThat(code).isEqualTo(2);
    }

    Set<String> leaked = Set.of();
    for (int attempt = 0; attempt < 50; attempt++) {
      leaked =
          Thread.getAllStackTraces().keySet().stream()
              .filter(thread -> !before.contains(thread) && thread.isAlive())
              .map(Thread::getName)
              .filter(name -> name.contains("EventLoop") || name.startsWith("stevedore-"))
              .collect(Collectors.toSet());
      if (leaked.isEmpty()) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(leaked).as("threads left running after a failed bind").isEmpty();
  }
}
