package dev.stevedore.server.preload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.model.ImageReference;
import dev.stevedore.server.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageListTest {
  @TempDir Path dir;

  private static List<String> names(List<ImageReference> images) {
    return images.stream().map(ImageReference::toString).toList();
  }

  @Test
  void parseLines_ignoresBlankLinesAndComments() {
    List<ImageReference> images =
        ImageList.parseLines(
            "images.txt",
            List.of(
                "# images for the exam room",
                "",
                "alpine:3.19",
                "   ",
                "  library/busybox  ",
                "ghcr.io/org/app:v2   # the app",
                "\t# indented comment"));

    assertThat(names(images))
        .containsExactly(
            "docker.io/library/alpine:3.19",
            "docker.io/library/busybox:latest",
            "ghcr.io/org/app:v2");
  }

  @Test
  void parseLines_acceptsEveryUsualForm() {
    String digest = "sha256:" + "a".repeat(64);
    List<ImageReference> images =
        ImageList.parseLines(
            "images.txt",
            List.of(
                "alpine",
                "docker.io/library/nginx:1.25",
                "index.docker.io/team/app:v1",
                "ghcr.io/org/app@" + digest,
                "localhost:5000/mine:dev"));

    assertThat(names(images))
        .containsExactly(
            "docker.io/library/alpine:latest",
            "docker.io/library/nginx:1.25",
            "docker.io/team/app:v1",
            "ghcr.io/org/app@" + digest,
            "localhost:5000/mine:dev");
  }

  @Test
  void parseLines_dropsDuplicatesOfTheSameImage() {
    List<ImageReference> images =
        ImageList.parseLines(
            "images.txt",
            List.of("alpine:3.19", "docker.io/library/alpine:3.19", "library/alpine:3.19"));

    assertThat(names(images)).containsExactly("docker.io/library/alpine:3.19");
  }

  @Test
  void parseLines_badName_namesFileAndLine() {
    assertThatThrownBy(
            () -> ImageList.parseLines("images.txt", List.of("alpine", "", "Not Valid!")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("images.txt line 3: invalid image 'Not Valid!'")
        .hasMessageNotContaining("\n");
  }

  @Test
  void parseLines_onlyComments_isEmpty() {
    assertThat(ImageList.parseLines("images.txt", List.of("# nothing yet", "", "  "))).isEmpty();
  }

  @Test
  void of_argumentsFirstThenFile_withCrlfLines() throws Exception {
    Path file = dir.resolve("images.txt");
    Files.writeString(file, "busybox:1.36\r\n# comment\r\n\r\nalpine:3.19\r\n");

    List<ImageReference> images = ImageList.of(List.of("alpine:3.19", "nginx"), Optional.of(file));

    assertThat(names(images))
        .containsExactly(
            "docker.io/library/alpine:3.19",
            "docker.io/library/nginx:latest",
            "docker.io/library/busybox:1.36");
  }

  @Test
  void of_badArgument_isConfigException() {
    assertThatThrownBy(() -> ImageList.of(List.of("UPPER/case"), Optional.empty()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid image 'UPPER/case'");
  }

  @Test
  void of_missingFile_isConfigException() {
    Path missing = dir.resolve("nope.txt");

    assertThatThrownBy(() -> ImageList.of(List.of(), Optional.of(missing)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("images file " + missing + " does not exist");
  }
}
