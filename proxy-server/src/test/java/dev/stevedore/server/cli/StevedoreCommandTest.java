package dev.stevedore.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.logging.StevedoreLogProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs the command line in-process with System.out and System.err captured. */
class StevedoreCommandTest {
  @TempDir Path dir;

  /** Asserts stderr is one line starting {@code stevedore:} and holding no stack trace. */
  private static void assertOneLineError(CommandRun run) {
    assertThat(run.err().lines()).as("stderr: " + run.err()).hasSize(1);
    assertThat(run.err())
        .startsWith("stevedore: ")
        .doesNotContain("\tat ")
        .doesNotContain("Caused by")
        .doesNotContain("ConfigException");
  }

  // --- help and version ---

  @Test
  void help_exitsZeroAndListsServe() {
    CommandRun run = CommandRun.run("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("stevedore").contains("serve");
  }

  @Test
  void serveHelp_exitsZeroAndMentionsEveryOption() {
    CommandRun run = CommandRun.run("serve", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("--config")
        .contains("--listen")
        .contains("--data")
        .contains("--upstream")
        .contains("--credentials-file")
        .contains("--tag-ttl");
  }

  @Test
  void helpCommand_forServe_showsServeOptions() {
    CommandRun run = CommandRun.run("help", "serve");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("--tag-ttl");
  }

  @Test
  void version_exitsZeroAndNamesStevedore() {
    CommandRun run = CommandRun.run("--version");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("stevedore ");
  }

  @Test
  void commandLine_leavesOutPicocliConvertersOfTypesNoOptionHas_namesTheLogProvider() {
    StevedoreCommand.commandLine("serve");

    String excluded = System.getProperty(StartProperties.CONVERTER_EXCLUDES);
    assertThat("java.time.MonthDay").matches(excluded);
    assertThat("java.sql.Timestamp").matches(excluded);
    assertThat("java.nio.file.Path").doesNotMatch(excluded);
    assertThat(System.getProperty(StartProperties.SLF4J_PROVIDER))
        .isEqualTo(StevedoreLogProvider.class.getName());
    assertThat(System.getProperty(StartProperties.SLF4J_VERBOSITY)).isEqualTo("WARN");
  }

  // --- bad usage ---

  @Test
  void noCommand_exitsTwoSuggestingServe() {
    CommandRun run = CommandRun.run(new String[0]);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("missing command").contains("serve");
  }

  @Test
  void unknownOption_exitsTwoNamingIt() {
    CommandRun run = CommandRun.run("--bogus");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--bogus").contains("--help").doesNotContain("\tat ");
  }

  @Test
  void unknownServeOption_exitsTwoNamingIt() {
    CommandRun run = CommandRun.run("serve", "--port", "5000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--port").contains("stevedore serve --help");
  }

  @Test
  void unknownCommand_exitsTwo() {
    CommandRun run = CommandRun.run("pull");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("pull");
  }

  @Test
  void optionWithoutValue_exitsTwo() {
    CommandRun run = CommandRun.run("serve", "--tag-ttl");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--tag-ttl");
  }

  // --- bad configuration: one line, exit 2, nothing started ---

  @Test
  void serve_badTagTtl_exitsTwoWithOneLine() {
    CommandRun run = CommandRun.run("serve", "--data", dir.toString(), "--tag-ttl", "banana");

    assertThat(run.exitCode()).isEqualTo(2);
    assertOneLineError(run);
    assertThat(run.err()).contains("banana");
  }

  @Test
  void serve_ftpUpstream_exitsTwoWithOneLine() {
    CommandRun run =
        CommandRun.run("serve", "--data", dir.toString(), "--upstream", "docker.io=ftp://x");

    assertThat(run.exitCode()).isEqualTo(2);
    assertOneLineError(run);
    assertThat(run.err()).contains("ftp://x");
  }

  @Test
  void serve_upstreamWithoutEquals_exitsTwo() {
    CommandRun run = CommandRun.run("serve", "--data", dir.toString(), "--upstream", "docker.io");

    assertThat(run.exitCode()).isEqualTo(2);
    assertOneLineError(run);
    assertThat(run.err()).contains("NAME=URL");
  }

  @Test
  void serve_missingConfigFile_exitsTwoNamingIt() {
    CommandRun run = CommandRun.run("serve", "--config", "/nonexistent.yml");

    assertThat(run.exitCode()).isEqualTo(2);
    assertOneLineError(run);
    assertThat(run.err()).contains("/nonexistent.yml");
  }

  @Test
  void serve_unknownKeyInConfigFile_exitsTwoNamingKey() throws IOException {
    Path config = Files.writeString(dir.resolve("stevedore.yml"), "colour: blue\n");

    CommandRun run = CommandRun.run("serve", "--config", config.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertOneLineError(run);
    assertThat(run.err()).contains("'colour'").contains(config.toString());
  }

  @Test
  void serve_badListenAddress_exitsTwo() {
    CommandRun run = CommandRun.run("serve", "--data", dir.toString(), "--listen", "localhost");

    assertThat(run.exitCode()).isEqualTo(2);
    assertOneLineError(run);
    assertThat(run.err()).contains("'localhost'");
  }

  @Test
  void serve_unreadableCredentialsFile_exitsTwoNamingIt() {
    Path missing = dir.resolve("missing.json");

    CommandRun run =
        CommandRun.run("serve", "--data", dir.toString(), "--credentials-file", missing.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertOneLineError(run);
    assertThat(run.err()).contains(missing.toString());
  }

  @Test
  @Timeout(60)
  void serve_listenAddressInUse_exitsTwoNamingAddress() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      String address = "127.0.0.1:" + taken.getLocalPort();

      CommandRun run =
          CommandRun.run("serve", "--data", dir.resolve("data").toString(), "--listen", address);

      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.err()).contains("cannot listen on " + address).doesNotContain("\tat ");
    }
  }

  @Test
  @Timeout(60)
  void serve_listenAddressInUse_leavesNoEventLoopThreads() throws Exception {
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      CommandRun run =
          CommandRun.run(
              "serve",
              "--data",
              dir.resolve("data").toString(),
              "--listen",
              "127.0.0.1:" + taken.getLocalPort());
      assertThat(run.exitCode()).isEqualTo(2);
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
