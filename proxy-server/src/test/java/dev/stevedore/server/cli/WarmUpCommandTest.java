package dev.stevedore.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code stevedore warm-up}, the run a class-data-sharing archive is recorded from. */
class WarmUpCommandTest {
  private static final Path TEMP = Path.of(System.getProperty("java.io.tmpdir"));

  private static List<Path> warmUpDirectories() throws IOException {
    try (Stream<Path> entries = Files.list(TEMP)) {
      return entries
          .filter(path -> path.getFileName().toString().startsWith("stevedore-warm-up-"))
          .toList();
    }
  }

  @Test
  void warmUp_exitsZero_andLeavesNoTemporaryDirectory() throws IOException {
    List<Path> before = warmUpDirectories();

    CommandRun run = CommandRun.run("warm-up");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).as("containerd-config's report, discarded").doesNotContain("wrote ");
    assertThat(warmUpDirectories()).containsExactlyInAnyOrderElementsOf(before);
  }

  @Test
  void help_doesNotListWarmUp() {
    CommandRun run = CommandRun.run("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("serve").doesNotContain("warm-up");
  }
}
