package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.bundle.signing.OpensslKeys;
import dev.stevedore.server.cli.CommandRun;
import dev.stevedore.server.it.support.Containerd;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signed bundle end to end: {@code export --sign-key} (an {@code openssl genpkey} P-256 key) from
 * a token-auth CNCF registry; the bundle stays a plain OCI archive that skopeo and containerd read
 * despite its {@code stevedore-bundle.sig}; {@code import --trust-key} takes it, and refuses it
 * with one changed byte in its index.json or under another key, writing nothing.
 */
class SignedBundleIT {
  private static final TestImage WEB = new TestImages(2026).layerSizes(10_000, 20_000).ociIndex();
  private static final String WEB_NAME = "docker.io/library/web:1";

  @TempDir static Path work;
  private static Path bundle;
  private static OpensslKeys.Pair key;

  @BeforeAll
  static void exportSigned() throws Exception {
    key = OpensslKeys.p256(work, "site");
    try (Upstream upstream = Upstream.start(Files.createDirectories(work.resolve("upstream")))) {
      upstream.push("library/web", "1", WEB);
      bundle = work.resolve("bundle.tar");

      CommandRun export =
          CommandRun.run(
              "export",
              "--data",
              work.resolve("connected").toString(),
              "--upstream",
              "docker.io=" + upstream.uri(),
              "--sign-key",
              key.privateKey().toString(),
              "--output",
              bundle.toString(),
              "web:1");

      assertThat(export.exitCode()).as(export.toString()).isZero();
      assertThat(export.out()).contains(", signed by sha256:");
    }
  }

  @Test
  void trustedImport_takesTheBundle() {
    CommandRun run =
        CommandRun.run(
            "import",
            "--data",
            work.resolve("trusted").toString(),
            "--trust-key",
            key.publicKey().toString(),
            bundle.toString());

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("imported " + WEB_NAME + " (" + WEB.digest());
  }

  @Test
  void changedIndexOrAnotherKey_isRefused_cacheUntouched() throws IOException {
    byte[] tar = Files.readAllBytes(bundle);
    byte[] name = WEB_NAME.getBytes(StandardCharsets.UTF_8);
    int at = indexOf(tar, name);
    tar[at + name.length - 1] = '2';
    Path changed = Files.write(work.resolve("changed.tar"), tar);
    OpensslKeys.Pair other = OpensslKeys.p256(work, "other");

    CommandRun changedRun = trustedImport(changed, key, "changed-data");
    CommandRun otherRun = trustedImport(bundle, other, "other-data");

    assertThat(changedRun.exitCode()).isEqualTo(2);
    assertThat(changedRun.err().lines()).as(changedRun.toString()).hasSize(1);
    assertThat(changedRun.err()).contains("not trusted: its signature by sha256:");
    assertThat(otherRun.exitCode()).isEqualTo(2);
    assertThat(otherRun.err()).contains("not trusted: it is signed by another key");
    assertNothingWritten(work.resolve("changed-data"));
    assertNothingWritten(work.resolve("other-data"));
  }

  @Test
  void skopeo_readsTheSignedBundleAsOciArchive() throws Exception {
    Path copied = work.resolve("archive");
    new Skopeo(work).copyAll("oci-archive:" + bundle + ":" + WEB_NAME, copied).requireSuccess();

    assertThat(Digest.sha256(Files.readAllBytes(copied.resolve("manifest.json"))).toString())
        .isEqualTo(WEB.digest());
  }

  @Test
  void containerd_importsTheSignedBundle() {
    try (Containerd containerd = Containerd.start()) {
      containerd
          .ctr(
              "signed",
              List.of(
                  "images",
                  "import",
                  "--all-platforms",
                  "--snapshotter",
                  Containerd.SNAPSHOTTER,
                  bundle.toString()))
          .requireSuccess();

      assertThat(containerd.images("signed")).containsEntry(WEB_NAME, WEB.digest());
    }
  }

  private static CommandRun trustedImport(Path file, OpensslKeys.Pair trusted, String data) {
    return CommandRun.run(
        "import",
        "--data",
        work.resolve(data).toString(),
        "--trust-key",
        trusted.publicKey().toString(),
        file.toString());
  }

  /** The signature is checked before the cache is opened: not even its directory exists. */
  private static void assertNothingWritten(Path data) throws IOException {
    if (Files.exists(data)) {
      try (Stream<Path> files = Files.walk(data)) {
        assertThat(files.filter(Files::isRegularFile)).isEmpty();
      }
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("bytes not in the bundle");
  }
}
