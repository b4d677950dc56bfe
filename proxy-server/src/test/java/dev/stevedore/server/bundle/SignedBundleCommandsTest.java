package dev.stevedore.server.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.bundle.signing.OpensslKeys;
import dev.stevedore.server.cli.CommandRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export --sign-key} and {@code import --trust-key} on the command line, in-process, with
 * keys made by the real {@code openssl}: a refused bundle leaves the cache byte for byte as it was.
 */
class SignedBundleCommandsTest {
  private static final String NAME = "docker.io/library/web:1";

  @TempDir Path dir;
  private Path data;
  private TestBundle.Image image;

  /** An unsigned bundle imported into a source cache, and a target cache holding another image. */
  @BeforeEach
  void caches() throws IOException {
    TestBundle bundle = new TestBundle(11);
    image = bundle.image(2, 1000);
    bundle.name(image.manifest(), NAME);
    assertSucceeded(
        CommandRun.run(
            "import",
            "--data",
            dir.resolve("source").toString(),
            bundle.write(dir.resolve("unsigned.tar")).toString()));
    TestBundle other = new TestBundle(12);
    other.name(other.image(1, 500).manifest(), "docker.io/library/other:1");
    data = dir.resolve("target");
    assertSucceeded(
        CommandRun.run(
            "import", "--data", data.toString(), other.write(dir.resolve("other.tar")).toString()));
  }

  @Test
  void ed25519_signedBundle_isImported_andRefusedWhenChangedForeignOrUnsigned() throws Exception {
    exercise(OpensslKeys.ed25519(dir, "ed"));
  }

  @Test
  void p256_signedBundle_isImported_andRefusedWhenChangedForeignOrUnsigned() throws Exception {
    exercise(OpensslKeys.p256(dir, "ec"));
  }

  private void exercise(OpensslKeys.Pair key) throws Exception {
    OpensslKeys.Pair stranger = OpensslKeys.ed25519(dir, "stranger");
    Path signed = export(key.privateKey());
    byte[] tar = Files.readAllBytes(signed);
    assertThat(TarTest.readAll(tar).keySet())
        .startsWith("oci-layout", "index.json", "stevedore-bundle.json", "stevedore-bundle.sig");
    Map<String, String> before = snapshot(data);

    // one byte of index.json changed: the tag it names
    byte[] changed = tar.clone();
    int at = TestBundle.indexOf(changed, NAME.getBytes(StandardCharsets.UTF_8));
    changed[at + NAME.length() - 1] = '2';
    assertRefused(Files.write(dir.resolve("changed.tar"), changed), key, "does not match");
    // one byte of the bundle record changed: the signature covers it too
    byte[] changedRecord = tar.clone();
    int format = TestBundle.indexOf(changedRecord, "\"format\":1".getBytes(StandardCharsets.UTF_8));
    changedRecord[format + "\"format\":".length()] = '2';
    assertRefused(
        Files.write(dir.resolve("changed-record.tar"), changedRecord), key, "does not match");
    assertRefused(signed, stranger, "it is signed by another key (sha256:");
    assertRefused(dir.resolve("unsigned.tar"), key, "it is unsigned");
    assertThat(snapshot(data)).isEqualTo(before);

    CommandRun trusted =
        CommandRun.run(
            "import",
            "--data",
            data.toString(),
            "--trust-key",
            stranger.publicKey().toString(),
            "--trust-key",
            key.publicKey().toString(),
            signed.toString());
    assertSucceeded(trusted);
    assertThat(trusted.out()).contains("imported " + NAME + " (" + image.manifest().digest());
  }

  @Test
  void signedBundle_importsWithoutTrustKey_asBefore() throws Exception {
    Path signed = export(OpensslKeys.ed25519(dir, "ed").privateKey());

    CommandRun run = CommandRun.run("import", "--data", data.toString(), signed.toString());

    assertSucceeded(run);
    assertThat(run.out()).contains("imported " + NAME);
  }

  @Test
  void bundleVerify_withTrustKey_checksTheSignatureOverIndexAndRecord() throws Exception {
    OpensslKeys.Pair key = OpensslKeys.ed25519(dir, "ed");
    OpensslKeys.Pair stranger = OpensslKeys.p256(dir, "stranger");
    Path signed = export(key.privateKey());
    String keyId = keyIdIn(signed);

    CommandRun trusted =
        CommandRun.run(
            "bundle",
            "verify",
            "--trust-key",
            stranger.publicKey().toString(),
            "--trust-key",
            key.publicKey().toString(),
            signed.toString());
    assertSucceeded(trusted);
    assertThat(trusted.out()).contains(" is intact: ").contains(", signed by " + keyId);
    CommandRun ls = CommandRun.run("bundle", "ls", signed.toString());
    assertSucceeded(ls);
    assertThat(ls.out()).contains("signed by " + keyId);

    // the record's image size changed by one digit: still a valid record, no longer signed
    byte[] tar = Files.readAllBytes(signed);
    int omitted = TestBundle.indexOf(tar, "\"omitted\"".getBytes(StandardCharsets.UTF_8));
    int size = new String(tar, 0, omitted, StandardCharsets.ISO_8859_1).lastIndexOf("\"size\":");
    int digit = size + "\"size\":".length() + 1;
    tar[digit] = (byte) (tar[digit] == '9' ? '8' : tar[digit] + 1);
    Path changed = Files.write(dir.resolve("changed-record.tar"), tar);

    assertVerifyRefused(changed, key, "not trusted: its signature by " + keyId);
    assertVerifyRefused(signed, stranger, "not trusted: it is signed by another key");
    assertVerifyRefused(dir.resolve("unsigned.tar"), key, "not trusted: it is unsigned");
    assertSucceeded(CommandRun.run("bundle", "verify", changed.toString()));
  }

  private void assertVerifyRefused(Path bundle, OpensslKeys.Pair trusted, String reason) {
    CommandRun run =
        CommandRun.run(
            "bundle", "verify", "--trust-key", trusted.publicKey().toString(), bundle.toString());
    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err().lines()).as(run.err()).hasSize(1);
    assertThat(run.err()).contains(" is refused: ").contains(reason).doesNotContain("Exception");
  }

  private static String keyIdIn(Path bundle) throws IOException {
    String sig =
        new String(
            TarTest.readAll(Files.readAllBytes(bundle)).get("stevedore-bundle.sig"),
            StandardCharsets.UTF_8);
    int at = sig.indexOf("sha256:");
    return sig.substring(at, at + "sha256:".length() + 64);
  }

  @Test
  void signatureEntries_afterTheBlobsOrTwice_areRefused() throws Exception {
    OpensslKeys.Pair key = OpensslKeys.ed25519(dir, "ed");
    Map<String, byte[]> entries = TarTest.readAll(Files.readAllBytes(export(key.privateKey())));
    byte[] sig = entries.remove("stevedore-bundle.sig");
    List<Map.Entry<String, byte[]>> sigLast = new ArrayList<>(entries.entrySet());
    sigLast.add(Map.entry("stevedore-bundle.sig", sig));
    List<Map.Entry<String, byte[]>> indexTwice = new ArrayList<>(entries.entrySet());
    indexTwice.add(2, Map.entry("stevedore-bundle.sig", sig));
    indexTwice.add(3, Map.entry("index.json", "{\"manifests\":[]}".getBytes()));
    Map<String, String> before = snapshot(data);

    assertRefused(tar("sig-last.tar", sigLast), key, "it is unsigned");
    assertRefused(tar("index-twice.tar", indexTwice), key, "bundle holds index.json twice");
    assertThat(snapshot(data)).isEqualTo(before);
  }

  @Test
  void badKeyFiles_failWithOneLine_beforeExporting() throws Exception {
    OpensslKeys.Pair rsa =
        OpensslKeys.pair(
            dir, "rsa", List.of("-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"));
    Path output = dir.resolve("out.tar");

    CommandRun export =
        CommandRun.run(
            "export",
            "--data",
            dir.resolve("source").toString(),
            "--offline",
            "--sign-key",
            rsa.privateKey().toString(),
            "--output",
            output.toString(),
            "web:1");
    CommandRun importRun =
        CommandRun.run(
            "import",
            "--data",
            data.toString(),
            "--trust-key",
            rsa.privateKey().toString(),
            dir.resolve("unsigned.tar").toString());

    assertThat(export.exitCode()).isEqualTo(2);
    assertThat(export.err().lines()).hasSize(1);
    assertThat(export.err()).contains("is not an Ed25519 or ECDSA P-256 key");
    assertThat(output).doesNotExist();
    assertThat(importRun.exitCode()).isEqualTo(2);
    assertThat(importRun.err().lines()).hasSize(1);
    assertThat(importRun.err()).contains("holds a private key");
  }

  private Path export(Path signKey) {
    Path output = dir.resolve("signed.tar");
    CommandRun run =
        CommandRun.run(
            "export",
            "--data",
            dir.resolve("source").toString(),
            "--offline",
            "--sign-key",
            signKey.toString(),
            "--output",
            output.toString(),
            "web:1");
    assertSucceeded(run);
    assertThat(run.out()).contains(", signed by sha256:");
    return output;
  }

  private void assertRefused(Path bundle, OpensslKeys.Pair trusted, String reason) {
    CommandRun run =
        CommandRun.run(
            "import",
            "--data",
            data.toString(),
            "--trust-key",
            trusted.publicKey().toString(),
            bundle.toString());
    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err().lines()).as(run.err()).hasSize(1);
    assertThat(run.err())
        .startsWith("stevedore: cannot import " + bundle + ": ")
        .contains(reason)
        .doesNotContain("Exception");
  }

  private Path tar(String name, List<Map.Entry<String, byte[]>> entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TarWriter tar = new TarWriter(Channels.newChannel(out), 0);
    for (Map.Entry<String, byte[]> entry : entries) {
      tar.add(entry.getKey(), entry.getValue());
    }
    tar.finish();
    return Files.write(dir.resolve(name), out.toByteArray());
  }

  private static void assertSucceeded(CommandRun run) {
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  /** Every file and directory under {@code root}, with a hash of each file's content. */
  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.toList()) {
        files.put(
            root.relativize(path).toString(),
            Files.isDirectory(path) ? "dir" : sha256(Files.readAllBytes(path)));
      }
    }
    return files;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
