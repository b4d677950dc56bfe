package dev.stevedore.server.preload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.cli.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stevedore preload} usage errors, which need no upstream. */
class PreloadCommandLineTest {
  @TempDir Path dir;

  @Test
  void help_mentionsEveryOption() {
    CommandRun run = CommandRun.run("preload", "--help");
    assertThat(run.exitCode()).isZero();

    assertThat(run.out())
        .contains(
            "--config",
            "--data",
            "--upstream",
            "--credentials-file",
            "--platform",
            "--images-file",
            "IMAGE");
  }

  @Test
  void noImages_isUsageError() {
    CommandRun run = CommandRun.run("preload", "--data", dir.resolve("data").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err()).startsWith("stevedore: no images to preload");
  }

  @Test
  void imagesFileWithOnlyComments_isUsageError() throws Exception {
    Path file = Files.writeString(dir.resolve("images.txt"), "# later\n\n");

    CommandRun run =
        CommandRun.run(
            "preload", "--data", dir.resolve("data").toString(), "--images-file", file.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("stevedore: no images to preload");
  }

  @Test
  void badImageInFile_isConfigErrorNamingTheLine() throws Exception {
    Path file = Files.writeString(dir.resolve("images.txt"), "alpine\nBad Name\n");

    CommandRun run =
        CommandRun.run(
            "preload", "--data", dir.resolve("data").toString(), "--images-file", file.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err()).startsWith("stevedore: " + file + " line 2: invalid image 'Bad Name'");
  }

  @Test
  void badPlatform_isUsageError() {
    CommandRun run =
        CommandRun.run(
            "preload", "--data", dir.resolve("data").toString(), "--platform", "amd64", "alpine");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("stevedore: invalid platform 'amd64'");
  }

  @Test
  void registryWithoutUpstream_failsThatImageWithTheFlagToAdd() {
    CommandRun run =
        CommandRun.run(
            "preload",
            "--data",
            dir.resolve("data").toString(),
            "--upstream",
            "docker.io=http://127.0.0.1:9",
            "ghcr.io/org/app:v1");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().lines())
        .containsExactly(
            "stevedore: cannot preload ghcr.io/org/app:v1: registry ghcr.io is not a configured"
                + " upstream; add --upstream ghcr.io=https://ghcr.io");
    assertThat(run.out()).startsWith("preloaded 0 of 1 image (1 failed)");
  }
}
