package dev.stevedore.server.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.cli.StevedoreCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stevedore export} and {@code import} on the command line, in-process, offline. */
class BundleCommandsTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;

  @BeforeEach
  void capture() {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  @Test
  void importThenExportOffline_roundTrips() throws IOException {
    TestBundle bundle = new TestBundle(5);
    TestBundle.Image image = bundle.image(2, 1000);
    bundle.name(image.manifest(), "docker.io/library/web:1");
    Path data = dir.resolve("data");

    int imported =
        StevedoreCommand.run(
            "import", "--data", data.toString(), bundle.write(dir.resolve("in.tar")).toString());
    Path exported = dir.resolve("out.tar");
    int exportedCode =
        StevedoreCommand.run(
            "export",
            "--data",
            data.toString(),
            "--offline",
            "--output",
            exported.toString(),
            "web:1");

    assertThat(imported).as(err()).isZero();
    assertThat(exportedCode).as(err()).isZero();
    assertThat(out()).contains("imported docker.io/library/web:1 (" + image.manifest().digest());
    assertThat(out()).contains("1 images from").contains("4 blobs added");
    assertThat(TarTest.readAll(Files.readAllBytes(exported)))
        .containsEntry(
            "blobs/sha256/" + image.layers().get(1).digest().hex(), image.layers().get(1).bytes());
  }

  @Test
  void exportOffline_ofAnUncachedImage_failsWithOneLine() {
    Path output = dir.resolve("out.tar");

    int code =
        StevedoreCommand.run(
            "export",
            "--data",
            dir.resolve("data").toString(),
            "--offline",
            "--output",
            output.toString(),
            "alpine:3.19");

    assertThat(code).isEqualTo(2);
    assertOneLine("stevedore: cannot export docker.io/library/alpine:3.19: ");
    assertThat(err()).contains("offline");
    assertThat(Files.exists(output)).isFalse();
  }

  @Test
  void export_invalidImageName_failsWithOneLine() {
    int code =
        StevedoreCommand.run(
            "export", "--offline", "--output", dir.resolve("o.tar").toString(), "UPPER/Case");

    assertThat(code).isEqualTo(2);
    assertOneLine("stevedore: invalid image 'UPPER/Case': ");
  }

  @Test
  void importCorruptBundle_failsWithOneLine_andLeavesNoBlobs() throws IOException {
    TestBundle bundle = new TestBundle(6);
    TestBundle.Image image = bundle.image(2, 1000);
    bundle.name(image.manifest(), "docker.io/library/web:1");
    Path file =
        Files.write(dir.resolve("bad.tar"), bundle.tarWithFlippedByte(image.layers().get(1)));
    Path data = dir.resolve("data");

    int code = StevedoreCommand.run("import", "--data", data.toString(), file.toString());

    assertThat(code).isEqualTo(2);
    assertOneLine("stevedore: cannot import " + file + ": bundle is corrupt: blobs/sha256/");
    try (Stream<Path> files = Files.walk(data.resolve("blobs"))) {
      assertThat(files.filter(Files::isRegularFile)).isEmpty();
    }
  }

  @Test
  void importMissingFile_failsWithOneLine() {
    int code =
        StevedoreCommand.run(
            "import", "--data", dir.toString(), dir.resolve("none.tar").toString());

    assertThat(code).isEqualTo(2);
    assertOneLine("stevedore: cannot import " + dir.resolve("none.tar") + ": no such file");
  }

  private void assertOneLine(String prefix) {
    assertThat(err().lines()).as(err()).hasSize(1);
    assertThat(err()).startsWith(prefix).doesNotContain("\tat ").doesNotContain("Exception");
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }
}
