package dev.stevedore.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stevedore warm-up}, which records the class-data-sharing archive. The archive itself needs
 * the jar ({@code -Xshare:dump} takes only jars on the class path): LauncherIT and JlinkRuntimeIT
 * record and map it.
 */
class WarmUpCommandTest {

  /**
   * The recorded serve runs from target/classes here, so its class list is written and the dump
   * fails: a one-line error after the children's output, and no archive and no work directory are
   * left.
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
  void warmUp_withoutArchive_isABadCommandLine() {
    CommandRun run = CommandRun.run("warm-up");

    assertThat(run.exitCode()).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(run.err()).contains("--archive");
  }

  @Test
  void help_doesNotListWarmUp() {
    CommandRun run = CommandRun.run("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("serve").doesNotContain("warm-up");
  }
}
