package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemBlobStoreTest extends BlobStoreContract {

  @TempDir Path root;

  @Override
  protected BlobStore newStore() throws IOException {
    return FileSystemBlobStore.open(root);
  }

  @Test
  void open_createsBlobAndTempDirectories() throws IOException {
    Path dataDir = root.resolve("fresh/data");

    FileSystemBlobStore.open(dataDir);

    FsLayout layout = new FsLayout(dataDir);
    assertThat(layout.blobsDir()).isDirectory();
    assertThat(layout.tmpDir()).isDirectory();
  }

  @Test
  void open_deletesTempFilesOfStoppedProcessesOnly() throws IOException {
    FsLayout layout = new FsLayout(root);
    Path dead = Files.createDirectories(layout.tmpRoot().resolve("999999999-1"));
    Path partialBlob = Files.writeString(dead.resolve("sha256-abc-1.part"), "half");
    Path loose =
        Files.writeString(Files.createDirectories(layout.tmpRoot()).resolve("record-1.tmp"), "x");
    ProcessHandle parent = ProcessHandle.current().parent().orElseThrow();
    Path live =
        Files.createDirectories(
            layout
                .tmpRoot()
                .resolve(
                    parent.pid()
                        + "-"
                        + parent.info().startInstant().orElseThrow().toEpochMilli()));
    Path othersWrite = Files.writeString(live.resolve("sha256-def-2.part"), "in flight");
    Path mine =
        Files.writeString(Files.createDirectories(layout.tmpDir()).resolve("x.part"), "mine");

    FileSystemBlobStore.open(root);

    assertThat(partialBlob).doesNotExist();
    assertThat(dead).doesNotExist();
    assertThat(loose).doesNotExist();
    assertThat(othersWrite).exists();
    assertThat(mine).exists();
  }

  @Test
  void open_keepsCommittedBlobs() throws IOException {
    byte[] content = "survives restart".getBytes(UTF_8);
    Digest digest = Digest.sha256(content);
    try (BlobWriter writer = FileSystemBlobStore.open(root).create(digest)) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit();
    }

    BlobStore reopened = FileSystemBlobStore.open(root);

    assertThat(reopened.stat(digest).orElseThrow().size()).isEqualTo(content.length);
  }

  @Test
  void create_writesToTempFileInTmpDir() throws IOException {
    Digest digest = Digest.sha256("x".getBytes(UTF_8));

    try (BlobWriter writer = newStore().create(digest)) {
      assertThat(writer.tempFile().getParent()).isEqualTo(new FsLayout(root).tmpDir());
      assertThat(writer.tempFile()).exists();
      assertThat(writer.tempFile().getFileName().toString())
          .startsWith("sha256-" + digest.hex().substring(0, 12))
          .endsWith(".part");
    }
  }

  @Test
  void commit_placesBlobAtLayoutPath() throws IOException {
    byte[] content = "placed".getBytes(UTF_8);
    Digest digest = Digest.sha256(content);

    BlobInfo info;
    try (BlobWriter writer = newStore().create(digest)) {
      writer.write(ByteBuffer.wrap(content));
      info = writer.commit();
    }

    Path expected =
        root.resolve("blobs/sha256").resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
    assertThat(info).isEqualTo(new BlobInfo(digest, content.length));
    assertThat(expected).hasBinaryContent(content);
  }

  @Test
  void commit_sha512_placesBlobUnderSha512() throws IOException {
    byte[] content = "sha512 on disk".getBytes(UTF_8);
    Digest digest = TestBlobs.sha512(content);

    try (BlobWriter writer = newStore().create(digest)) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit();
    }

    assertThat(root.resolve("blobs/sha512").resolve(digest.hex().substring(0, 2)))
        .isDirectoryContaining(path -> path.getFileName().toString().equals(digest.hex()));
  }

  @Test
  void commit_blobAlreadyOnDisk_keepsItAndRemovesTempFile() throws IOException {
    byte[] content = "already here".getBytes(UTF_8);
    Digest digest = Digest.sha256(content);
    BlobStore store = newStore();
    Path existing = new FsLayout(root).blob(digest);
    Files.createDirectories(existing.getParent());
    Files.write(existing, content);

    BlobWriter writer = store.create(digest);
    writer.write(ByteBuffer.wrap(content));
    BlobInfo info = writer.commit();

    assertThat(info).isEqualTo(new BlobInfo(digest, content.length));
    assertThat(writer.tempFile()).doesNotExist();
  }

  @Test
  void stat_directoryAtBlobPath_isEmpty() throws IOException {
    Digest digest = Digest.sha256("odd".getBytes(UTF_8));
    BlobStore store = newStore();
    Files.createDirectories(new FsLayout(root).blob(digest));

    assertThat(store.stat(digest)).isEmpty();
  }

  @Test
  void create_nullDigest_isRejected() throws IOException {
    BlobStore store = newStore();

    assertThatThrownBy(() -> store.create(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("expected");
  }
}
