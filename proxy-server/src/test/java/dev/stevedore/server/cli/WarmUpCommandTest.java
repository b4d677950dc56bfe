package dev.stevedore.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
  void warmUpWithConfig_exitsZero_andLeavesNoTemporaryDirectory() throws IOException {
    List<Path> before = warmUpDirectories();

    CommandRun run = CommandRun.run("warm-up", "--with-config");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(warmUpDirectories()).containsExactlyInAnyOrderElementsOf(before);
  }

  /**
   * The archive is recorded by child JVMs; one that fails (here {@code -Xshare:dump}, which takes
   * only jars on the class path, and the tests run from target/classes) is a one-line error after
   * its output, and no archive and no work directory are left.
   */
  @Test
  void archive_whenRecordingFails_saysSoInOneLine_andLeavesNothing(@TempDir Path dir) {
    Path archive = dir.resolve("stevedore.jsa");

    CommandRun run = CommandRun.run("warm-up", "--archive", archive.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().lines().reduce((first, second) -> second).orElseThrow())
        .startsWith("stevedore: ")
        .contains("recording the class-data archive " + archive, "-Xshare:dump", "exited");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void help_doesNotListWarmUp() {
    CommandRun run = CommandRun.run("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("serve").doesNotContain("warm-up");
  }
}
