package dev.stevedore.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --max-connections-per-client}: parsed by picocli, checked by the settings. */
class MaxConnectionsPerClientCommandLineTest {
  @TempDir Path dir;

  private CommandRun serve(String value) {
    return CommandRun.run(
        "serve",
        "--data",
        dir.resolve("data").toString(),
        "--listen",
        "127.0.0.1:0",
        "--max-connections-per-client",
        value);
  }

  @Test
  void zero_isExit2WithOneLine() {
    CommandRun run = serve("0");

    assertThat(run.exitCode()).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(run.err().strip())
        .isEqualTo("stevedore: max-connections-per-client must be at least 1: 0");
  }

  @Test
  void notANumber_isAUsageError() {
    CommandRun run = serve("lots");

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err()).contains("--max-connections-per-client");
  }
}
