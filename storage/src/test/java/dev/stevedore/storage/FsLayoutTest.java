package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FsLayoutTest {

  private static final Path ROOT = Path.of("/data/stevedore");
  private final FsLayout layout = new FsLayout(ROOT);
  private final Digest digest = Digest.sha256("manifest".getBytes(UTF_8));

  @Test
  void directories_areUnderRoot() {
    assertThat(layout.blobsDir()).isEqualTo(ROOT.resolve("blobs"));
    assertThat(layout.tmpRoot()).isEqualTo(ROOT.resolve("tmp"));
    assertThat(layout.tmpDir().getParent()).isEqualTo(layout.tmpRoot());
    assertThat(layout.tmpDir().getFileName().toString())
        .startsWith(ProcessHandle.current().pid() + "-");
    assertThat(layout.mediaTypesDir()).isEqualTo(ROOT.resolve("mediatypes"));
    assertThat(layout.repositoriesDir()).isEqualTo(ROOT.resolve("repositories"));
  }

  @Test
  void blob_isShardedByFirstTwoHexDigits() {
    assertThat(layout.blob(digest))
        .isEqualTo(
            ROOT.resolve("blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex()));
  }

  @Test
  void blob_sha512_usesItsAlgorithmDirectory() {
    Digest sha512 = TestBlobs.sha512("x".getBytes(UTF_8));

    assertThat(layout.blob(sha512))
        .isEqualTo(
            ROOT.resolve("blobs/sha512/" + sha512.hex().substring(0, 2) + "/" + sha512.hex()));
  }

  @Test
  void mediaType_isShardedLikeBlobs() {
    assertThat(layout.mediaType(digest))
        .isEqualTo(
            ROOT.resolve("mediatypes/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex()));
  }

  @Test
  void tag_isUnderRegistryRepositoryAndTagsDir() {
    assertThat(layout.tag("docker.io", "library/alpine", "3.19"))
        .isEqualTo(ROOT.resolve("repositories/docker.io/library/alpine/_tags/3.19"));
  }

  @Test
  void tag_registryWithPort_isAccepted() {
    assertThat(layout.tag("127.0.0.1:5001", "team/app/api", "v1.2.3-rc_1"))
        .isEqualTo(ROOT.resolve("repositories/127.0.0.1:5001/team/app/api/_tags/v1.2.3-rc_1"));
  }

  @Test
  void link_isUnderTheRepositorysLinksDirByAlgorithm() {
    assertThat(layout.link("docker.io", "library/alpine", digest))
        .isEqualTo(
            ROOT.resolve("repositories/docker.io/library/alpine/_links/sha256/" + digest.hex()));
  }

  @Test
  void link_invalidRepository_isRefused() {
    assertThatThrownBy(() -> layout.link("docker.io", "../../blobs", digest))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tagsDir_isTheParentOfTags() {
    assertThat(layout.tagsDir("ghcr.io", "o/r"))
        .isEqualTo(layout.tag("ghcr.io", "o/r", "latest").getParent());
  }

  @Test
  void root_isMadeAbsolute() {
    assertThat(new FsLayout(Path.of("relative/./data")).root())
        .isEqualTo(Path.of("relative/data").toAbsolutePath());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../x",
        "a/../b",
        "a/..",
        "..",
        ".",
        "./a",
        "/abs",
        "a//b",
        "a/",
        "",
        "a\\b",
        "..\\x",
        "a\u0000b",
        "a\nb",
        "a\tb",
        "a/b\u007f",
        "_tags",
        "a/_tags",
        "Library/alpine",
        "a/.hidden",
        "a/-dash",
        "a:b",
        "a b",
        "caf\u00e9"
      })
  void tag_invalidRepository_isRefused(String repository) {
    assertThatThrownBy(() -> layout.tag("docker.io", repository, "latest"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("repository");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"..", ".", "", "a/b", "/etc", "a\\b", "x\u0001", "x\n", "a:b", "t ag", "\u00e9"})
  void tag_invalidTag_isRefused(String tag) {
    assertThatThrownBy(() -> layout.tag("docker.io", "library/alpine", tag))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tag");
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", ".", "", "a/b", "/abs", "..\\x", "host\u0000", "[::1]:5000", "h h"})
  void tag_invalidRegistry_isRefused(String registry) {
    assertThatThrownBy(() -> layout.tag(registry, "library/alpine", "latest"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("registry");
  }

  @Test
  void tag_componentLongerThanAFileName_isRefused() {
    String tooLong = "a".repeat(FsLayout.MAX_COMPONENT_LENGTH + 1);

    assertThatThrownBy(() -> layout.tag("docker.io", "library/alpine", tooLong))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> layout.tag("docker.io", "library/" + tooLong, "latest"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tag_longestAllowedComponent_isAccepted() {
    String longest = "a".repeat(FsLayout.MAX_COMPONENT_LENGTH);

    assertThat(layout.tag("docker.io", "library/" + longest, longest).getFileName())
        .hasToString(longest);
  }

  @Test
  void refusal_messageMasksControlCharacters() {
    assertThatThrownBy(() -> layout.tag("docker.io", "a\nb", "latest"))
        .hasMessageNotContaining("\n")
        .hasMessageContaining("a?b");
  }

  @Test
  void nullInputs_areRejected() {
    assertThatThrownBy(() -> new FsLayout(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> layout.blob(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> layout.tag(null, "a", "b")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> layout.tag("r", null, "b")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> layout.tag("r", "a", null)).isInstanceOf(NullPointerException.class);
  }
}
