package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class S3LayoutTest {
  private final Digest digest = Digest.sha256("x".getBytes(UTF_8));
  private final String hex = digest.hex();

  @Test
  void keys_withoutPrefix_areTheDataDirectorysPaths() {
    S3Layout layout = new S3Layout("bucket", "");

    assertThat(layout.blob(digest)).isEqualTo("blobs/sha256/" + hex.substring(0, 2) + "/" + hex);
    assertThat(layout.mediaType(digest))
        .isEqualTo("mediatypes/sha256/" + hex.substring(0, 2) + "/" + hex);
    assertThat(layout.tag("docker.io", "library/alpine", "3.19"))
        .isEqualTo("repositories/docker.io/library/alpine/_tags/3.19");
    assertThat(layout.link("ghcr.io", "o/r", digest))
        .isEqualTo("repositories/ghcr.io/o/r/_links/sha256/" + hex);
  }

  @Test
  void keys_withPrefix_startWithIt() {
    S3Layout layout = new S3Layout("bucket", "team/cache");

    assertThat(layout.blob(digest)).startsWith("team/cache/blobs/sha256/");
    assertThat(layout.tag("docker.io", "library/alpine", "3.19"))
        .isEqualTo("team/cache/repositories/docker.io/library/alpine/_tags/3.19");
  }

  @Test
  void prefix_thatIsNotPlainComponents_isRejected() {
    for (String prefix : new String[] {"/lead", "trail/", "a//b", "..", "a/../b", "sp ace"}) {
      assertThatThrownBy(() -> new S3Layout("bucket", prefix))
          .as(prefix)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> new S3Layout("", "")).isInstanceOf(IllegalArgumentException.class);
  }
}
