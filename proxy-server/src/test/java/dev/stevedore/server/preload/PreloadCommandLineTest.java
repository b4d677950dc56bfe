package dev.stevedore.server.preload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.cli.StevedoreCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stevedore preload} usage errors, which need no upstream. */
class PreloadCommandLineTest {
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

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void help_mentionsEveryOption() {
    assertThat(StevedoreCommand.run("preload", "--help")).isZero();

    assertThat(out.toString(StandardCharsets.UTF_8))
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
    int code = StevedoreCommand.run("preload", "--data", dir.resolve("data").toString());

    assertThat(code).isEqualTo(2);
    assertThat(err().lines()).hasSize(1);
    assertThat(err()).startsWith("stevedore: no images to preload");
  }

  @Test
  void imagesFileWithOnlyComments_isUsageError() throws Exception {
    Path file = Files.writeString(dir.resolve("images.txt"), "# later\n\n");

    int code =
        StevedoreCommand.run(
            "preload", "--data", dir.resolve("data").toString(), "--images-file", file.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err()).startsWith("stevedore: no images to preload");
  }

  @Test
  void badImageInFile_isConfigErrorNamingTheLine() throws Exception {
    Path file = Files.writeString(dir.resolve("images.txt"), "alpine\nBad Name\n");

    int code =
        StevedoreCommand.run(
            "preload", "--data", dir.resolve("data").toString(), "--images-file", file.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err().lines()).hasSize(1);
    assertThat(err()).startsWith("stevedore: " + file + " line 2: invalid image 'Bad Name'");
  }

  @Test
  void badPlatform_isUsageError() {
    int code =
        StevedoreCommand.run(
            "preload", "--data", dir.resolve("data").toString(), "--platform", "amd64", "alpine");

    assertThat(code).isEqualTo(2);
    assertThat(err()).startsWith("stevedore: invalid platform 'amd64'");
  }

  @Test
  void registryWithoutUpstream_failsThatImageWithTheFlagToAdd() {
    int code =
        StevedoreCommand.run(
            "preload",
            "--data",
            dir.resolve("data").toString(),
            "--upstream",
            "docker.io=http://127.0.0.1:9",
            "ghcr.io/org/app:v1");

    assertThat(code).isEqualTo(1);
    assertThat(err().lines())
        .containsExactly(
            "stevedore: cannot preload ghcr.io/org/app:v1: registry ghcr.io is not a configured"
                + " upstream; add --upstream ghcr.io=https://ghcr.io");
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith("preloaded 0 of 1 image (1 failed)");
  }
}
