package dev.stevedore.server.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.cli.CommandRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stevedore export} and {@code import} on the command line, in-process, offline. */
class BundleCommandsTest {
  @TempDir Path dir;

  @Test
  void importThenExportOffline_roundTrips() throws IOException {
    TestBundle bundle = new TestBundle(5);
    TestBundle.Image image = bundle.image(2, 1000);
    bundle.name(image.manifest(), "docker.io/library/web:1");
    Path data = dir.resolve("data");

    CommandRun imported =
        CommandRun.run(
            "import", "--data", data.toString(), bundle.write(dir.resolve("in.tar")).toString());
    Path exported = dir.resolve("out.tar");
    CommandRun exportedRun =
        CommandRun.run(
            "export",
            "--data",
            data.toString(),
            "--offline",
            "--output",
            exported.toString(),
            "web:1");

    assertThat(imported.exitCode()).as(imported.err()).isZero();
    assertThat(exportedRun.exitCode()).as(exportedRun.err()).isZero();
    assertThat(imported.out())
        .contains("imported docker.io/library/web:1 (" + image.manifest().digest());
    assertThat(imported.out()).contains("1 images from").contains("4 blobs added");
    assertThat(TarTest.readAll(Files.readAllBytes(exported)))
        .containsEntry(
            "blobs/sha256/" + image.layers().get(1).digest().hex(), image.layers().get(1).bytes());
  }

  @Test
  void exportOffline_ofAnUncachedImage_failsWithOneLine() {
    Path output = dir.resolve("out.tar");

    CommandRun run =
        CommandRun.run(
            "export",
            "--data",
            dir.resolve("data").toString(),
            "--offline",
            "--output",
            output.toString(),
            "alpine:3.19");

    assertThat(run.exitCode()).isEqualTo(2);
    assertOneLine(run, "stevedore: cannot export docker.io/library/alpine:3.19: ");
    assertThat(run.err()).contains("offline");
    assertThat(Files.exists(output)).isFalse();
  }

  @Test
  void export_invalidImageName_failsWithOneLine() {
    CommandRun run =
        CommandRun.run(
            "export", "--offline", "--output", dir.resolve("o.tar").toString(), "UPPER/Case");

    assertThat(run.exitCode()).isEqualTo(2);
    assertOneLine(run, "stevedore: invalid image 'UPPER/Case': ");
  }

  @Test
  void importCorruptBundle_failsWithOneLine_andLeavesNoBlobs() throws IOException {
    TestBundle bundle = new TestBundle(6);
    TestBundle.Image image = bundle.image(2, 1000);
    bundle.name(image.manifest(), "docker.io/library/web:1");
    Path file =
        Files.write(dir.resolve("bad.tar"), bundle.tarWithFlippedByte(image.layers().get(1)));
    Path data = dir.resolve("data");

    CommandRun run = CommandRun.run("import", "--data", data.toString(), file.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertOneLine(run, "stevedore: cannot import " + file + ": bundle is corrupt: blobs/sha256/");
    try (Stream<Path> files = Files.walk(data.resolve("blobs"))) {
      assertThat(files.filter(Files::isRegularFile)).isEmpty();
    }
  }

  @Test
  void importMissingFile_failsWithOneLine() {
    CommandRun run =
        CommandRun.run("import", "--data", dir.toString(), dir.resolve("none.tar").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertOneLine(run, "stevedore: cannot import " + dir.resolve("none.tar") + ": no such file");
  }

  private static void assertOneLine(CommandRun run, String prefix) {
    assertThat(run.err().lines()).as(run.err()).hasSize(1);
    assertThat(run.err()).startsWith(prefix).doesNotContain("\tat ").doesNotContain("Exception");
  }
}
