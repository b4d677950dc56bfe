package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileSystemMediaTypeStoreTest extends MediaTypeStoreContract {

  @Override
  protected MediaTypeStore newStore() throws IOException {
    return FileSystemMediaTypeStore.open(root);
  }

  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  @TempDir Path root;

  private final Digest manifest = Digest.sha256("manifest bytes".getBytes(UTF_8));

  @Test
  void putIfAbsent_thenGet_returnsTheMediaType() throws IOException {
    MediaTypeStore store = FileSystemMediaTypeStore.open(root);

    store.putIfAbsent(manifest, OCI_MANIFEST);

    assertThat(store.get(manifest)).contains(OCI_MANIFEST);
  }

  @Test
  void putIfAbsent_writesOneLineAtTheLayoutPath() throws IOException {
    FileSystemMediaTypeStore.open(root).putIfAbsent(manifest, OCI_MANIFEST);

    assertThat(new FsLayout(root).mediaType(manifest)).hasContent(OCI_MANIFEST + "\n");
    assertThat(new FsLayout(root).tmpDir()).isEmptyDirectory();
  }

  @Test
  void get_fromANewStoreOnTheSameRoot_returnsTheMediaType() throws IOException {
    FileSystemMediaTypeStore.open(root).putIfAbsent(manifest, OCI_MANIFEST);

    assertThat(FileSystemMediaTypeStore.open(root).get(manifest)).contains(OCI_MANIFEST);
  }

  @Test
  void putIfAbsent_overACorruptRecord_writesTheNewOne() throws IOException {
    MediaTypeStore store = FileSystemMediaTypeStore.open(root);
    Path file = new FsLayout(root).mediaType(manifest);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "two\nlines\n");

    assertThat(store.putIfAbsent(manifest, OCI_MANIFEST)).isEqualTo(OCI_MANIFEST);
    assertThat(store.get(manifest)).contains(OCI_MANIFEST);
  }

  @Test
  void putIfAbsent_mediaTypeWithParameters_roundTrips() throws IOException {
    MediaTypeStore store = FileSystemMediaTypeStore.open(root);

    store.putIfAbsent(manifest, "application/json; charset=utf-8");

    assertThat(store.get(manifest)).contains("application/json; charset=utf-8");
  }

  @Test
  void get_sha512Digest_works() throws IOException {
    MediaTypeStore store = FileSystemMediaTypeStore.open(root);
    Digest sha512 = TestBlobs.sha512("manifest".getBytes(UTF_8));

    store.putIfAbsent(sha512, OCI_MANIFEST);

    assertThat(store.get(sha512)).contains(OCI_MANIFEST);
    assertThat(store.get(manifest)).isEmpty();
  }

  @Test
  void get_missing_isEmpty() throws IOException {
    assertThat(FileSystemMediaTypeStore.open(root).get(manifest)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "\n", "a\nb\n", "no newline", "bell\u0007\n"})
  void get_corruptFile_isEmpty(String content) throws IOException {
    MediaTypeStore store = FileSystemMediaTypeStore.open(root);
    Path file = new FsLayout(root).mediaType(manifest);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);

    assertThat(store.get(manifest)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a\nb", "a\rb", "nul\u0000"})
  void putIfAbsent_unstorableMediaType_isRefused(String mediaType) throws IOException {
    MediaTypeStore store = FileSystemMediaTypeStore.open(root);

    assertThatThrownBy(() -> store.putIfAbsent(manifest, mediaType))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.get(manifest)).isEmpty();
  }

  @Test
  void putIfAbsent_nulls_areRejected() throws IOException {
    MediaTypeStore store = FileSystemMediaTypeStore.open(root);

    assertThatThrownBy(() -> store.putIfAbsent(manifest, null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> store.putIfAbsent(null, OCI_MANIFEST))
        .isInstanceOf(NullPointerException.class);
  }
}
