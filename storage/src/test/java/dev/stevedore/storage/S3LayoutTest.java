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

  @Test
  void prefixes_withAndWithoutPrefix() {
    S3Layout root = new S3Layout("bucket", "");
    S3Layout team = new S3Layout("bucket", "team/cache");

    assertThat(root.keysPrefix()).isEmpty();
    assertThat(root.blobsPrefix()).isEqualTo("blobs/");
    assertThat(root.pullsPrefix()).isEqualTo("pulls/");
    assertThat(root.pulls("replica-1.a_b")).isEqualTo("pulls/replica-1.a_b");
    assertThat(team.keysPrefix()).isEqualTo("team/cache/");
    assertThat(team.blobsPrefix()).isEqualTo("team/cache/blobs/");
    assertThat(team.pulls("r")).isEqualTo("team/cache/pulls/r");
    assertThat(team.blob(digest)).startsWith(team.blobsPrefix());
  }

  @Test
  void pulls_replicaIdThatIsNotOneKeySegment_isRejected() {
    S3Layout layout = new S3Layout("bucket", "cache");
    for (String id : new String[] {"", ".", "..", "a/b", "../x", "sp ace", "x".repeat(129)}) {
      assertThatThrownBy(() -> layout.pulls(id))
          .as(id)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void digestOfBlobKey_readsBackTheKeysOfBlob() {
    for (String prefix : new String[] {"", "team/cache"}) {
      S3Layout layout = new S3Layout("bucket", prefix);
      Digest sha512 = Digest.parse("sha512:" + "ab".repeat(64));

      assertThat(layout.digestOfBlobKey(layout.blob(digest))).contains(digest);
      assertThat(layout.digestOfBlobKey(layout.blob(sha512))).contains(sha512);
    }
  }

  @Test
  void digestOfBlobKey_anyOtherKey_isEmpty() {
    S3Layout layout = new S3Layout("bucket", "cache");
    String fanOut = hex.substring(0, 2);
    String wrongFanOut = fanOut.equals("00") ? "01" : "00";
    for (String key :
        new String[] {
          "cache/blobs/",
          "cache/blobs/README",
          "cache/blobs/sha256/" + fanOut,
          "cache/blobs/sha256/" + wrongFanOut + "/" + hex,
          "cache/blobs/sha256/" + fanOut + "/" + hex + "/data",
          "cache/blobs/sha256/" + fanOut + "/" + hex.toUpperCase(java.util.Locale.ROOT),
          "cache/blobs/md5/" + fanOut + "/" + hex,
          "cache/mediatypes/sha256/" + fanOut + "/" + hex,
          "blobs/sha256/" + fanOut + "/" + hex,
          "other/blobs/sha256/" + fanOut + "/" + hex,
        }) {
      assertThat(layout.digestOfBlobKey(key)).as(key).isEmpty();
    }
  }

  @Test
  void lease_isUnderTheLeasesPrefix() {
    S3Layout root = new S3Layout("bucket", "");
    S3Layout team = new S3Layout("bucket", "team/cache");

    assertThat(root.lease("blobs/" + digest)).isEqualTo("leases/blobs/" + digest);
    assertThat(team.leasesPrefix()).isEqualTo("team/cache/leases/");
    assertThat(team.lease("manifests/docker.io/library/alpine@3.19"))
        .isEqualTo("team/cache/leases/manifests/docker.io/library/alpine@3.19");
  }

  @Test
  void lease_nameThatIsNotKeySafe_isRejected() {
    S3Layout layout = new S3Layout("bucket", "");
    String tooLong = "a".repeat(S3Layout.MAX_LEASE_NAME + 1);
    for (String name :
        new String[] {
          "", "/lead", "trail/", "a//b", "..", "a/../b", "./a", "sp ace", "a\nb", "a?b", "a%2F",
          "\u00e9", tooLong
        }) {
      assertThatThrownBy(() -> layout.lease(name))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(layout.lease("a".repeat(S3Layout.MAX_LEASE_NAME))).endsWith("a");
  }
}
