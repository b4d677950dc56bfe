package dev.stevedore.server.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.cache.RepositoryLinks;
import dev.stevedore.core.cache.StoredManifests;
import dev.stevedore.server.bundle.signing.BundleSignature;
import dev.stevedore.server.bundle.signing.OpensslKeys;
import dev.stevedore.server.bundle.signing.SignedBytes;
import dev.stevedore.server.bundle.signing.SigningKeyFiles;
import dev.stevedore.storage.FileSystemBlobStore;
import dev.stevedore.storage.FileSystemLinkStore;
import dev.stevedore.storage.FileSystemMediaTypeStore;
import dev.stevedore.storage.FileSystemTagStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BundleImporter#importBundle(Path, List)} checks the signature in the same read that
 * imports (not only in the command's check before it), over index.json and the bundle record.
 */
class SignedBundleImportTest {
  private static final byte[] RECORD = "{\"format\":1}".getBytes(StandardCharsets.UTF_8);

  @TempDir Path work;
  private Path data;
  private BundleImporter importer;
  private TestBundle bundle;
  private PrivateKey privateKey;
  private PublicKey publicKey;

  @BeforeEach
  void setUp() throws IOException {
    data = work.resolve("data");
    FileSystemBlobStore blobs = FileSystemBlobStore.open(data);
    StoredManifests manifests = new StoredManifests(blobs, FileSystemMediaTypeStore.open(data));
    importer =
        new BundleImporter(
            blobs,
            manifests,
            FileSystemTagStore.open(data),
            new RepositoryLinks(
                FileSystemLinkStore.open(data),
                manifests,
                Runnable::run,
                Clock.systemUTC(),
                Duration.ofSeconds(30)),
            Clock.systemUTC());
    bundle = new TestBundle(21);
    bundle.name(bundle.image(2, 1000).manifest(), "docker.io/library/web:1");
    OpensslKeys.Pair key = OpensslKeys.ed25519(work, "ed");
    privateKey = SigningKeyFiles.readPrivateKey(key.privateKey());
    publicKey = SigningKeyFiles.readPublicKey(key.publicKey());
  }

  @Test
  void signedOverIndexAndRecord_imports() throws IOException {
    byte[] index = bundle.indexJson();
    Path file = write(index, RECORD, sign(index, RECORD));

    assertThat(importer.importBundle(file, List.of(publicKey)).images()).hasSize(1);
  }

  @Test
  void changedRecord_isRefused_andNoBlobIsWritten() throws IOException {
    byte[] index = bundle.indexJson();
    byte[] changed = "{\"format\":2}".getBytes(StandardCharsets.UTF_8);
    Path file = write(index, changed, sign(index, RECORD));

    assertThatThrownBy(() -> importer.importBundle(file, List.of(publicKey)))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("not trusted: its signature by sha256:")
        .hasMessageContaining("does not match");
    assertNoBlobs();
  }

  @Test
  void changedIndex_isRefused_andNoBlobIsWritten() throws IOException {
    byte[] index = bundle.indexJson();
    byte[] changed = new String(index, StandardCharsets.UTF_8).replace("web:1", "web:2").getBytes();
    Path file = write(changed, RECORD, sign(index, RECORD));

    assertThatThrownBy(() -> importer.importBundle(file, List.of(publicKey)))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("does not match");
    assertNoBlobs();
  }

  @Test
  void recordAddedAfterSigning_isRefused() throws IOException {
    byte[] index = bundle.indexJson();
    Path file = write(index, RECORD, sign(index, null));

    assertThatThrownBy(() -> importer.importBundle(file, List.of(publicKey)))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("does not match");
    assertNoBlobs();
  }

  private byte[] sign(byte[] index, byte[] record) {
    return BundleSignature.sign(SignedBytes.of(index, Optional.ofNullable(record)), privateKey);
  }

  /** oci-layout, index.json, stevedore-bundle.json, stevedore-bundle.sig, then the blobs. */
  private Path write(byte[] index, byte[] record, byte[] signature) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TarWriter tar = new TarWriter(Channels.newChannel(out), 0);
    for (Map.Entry<String, byte[]> entry : TarTest.readAll(bundle.tar()).entrySet()) {
      if (entry.getKey().equals(OciLayout.INDEX_FILE)) {
        tar.add(OciLayout.INDEX_FILE, index);
        tar.add(BundleRecord.FILE, record);
        tar.add(BundleSignature.FILE, signature);
      } else {
        tar.add(entry.getKey(), entry.getValue());
      }
    }
    tar.finish();
    return Files.write(work.resolve("b.tar"), out.toByteArray());
  }

  private void assertNoBlobs() throws IOException {
    try (Stream<Path> files = Files.walk(data.resolve("blobs"))) {
      assertThat(files.filter(Files::isRegularFile)).isEmpty();
    }
  }
}
