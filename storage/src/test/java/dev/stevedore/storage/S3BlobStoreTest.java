package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The blob store contract, and what is S3's own, against S3Proxy on loopback. */
class S3BlobStoreTest extends BlobStoreContract {
  private static final long PART = S3BlobStore.MIN_PART_SIZE;

  @TempDir Path dataDir;
  private S3Client s3;
  private S3Layout layout;

  @Override
  protected BlobStore newStore() throws IOException {
    S3TestServer server = S3TestServer.shared();
    s3 = server.client();
    layout = new S3Layout(server.newBucket(), "cache/one");
    return S3BlobStore.open(s3, layout, dataDir, PART);
  }

  @Test
  void commit_placesBlobAtDistributionsKeyUnderThePrefix() throws IOException {
    BlobStore store = newStore();
    byte[] content = "placed".getBytes(UTF_8);
    Digest digest = Digest.sha256(content);

    write(store, content);

    String key = "cache/one/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex();
    assertThat(keys()).containsExactly(key);
    assertThat(s3.getObjectAsBytes(get(key)).asByteArray()).isEqualTo(content);
  }

  @Test
  void commit_blobOfSeveralParts_isCompletedWhole() throws IOException {
    BlobStore store = newStore();
    byte[] content = TestBlobs.randomBytes((int) (2 * PART + PART / 2));
    Digest digest = Digest.sha256(content);

    BlobWriter writer = store.create(digest, content.length);
    for (int offset = 0; offset < content.length; offset += 1024 * 1024) {
      writer.write(
          ByteBuffer.wrap(content, offset, Math.min(1024 * 1024, content.length - offset)));
    }
    assertThat(pendingUploads()).as("parts go up while the blob is written").hasSize(1);
    assertThat(store.stat(digest)).as("invisible before the commit").isEmpty();

    assertThat(writer.commit()).isEqualTo(new BlobInfo(digest, content.length));

    assertThat(pendingUploads()).isEmpty();
    assertThat(store.stat(digest)).contains(new BlobInfo(digest, content.length));
    try (BlobReader reader = store.open(digest).orElseThrow()) {
      assertThat(reader.readAllBytes()).isEqualTo(content);
    }
  }

  @Test
  void commit_mismatchAfterSeveralParts_abortsTheUpload() throws IOException {
    BlobStore store = newStore();
    byte[] content = TestBlobs.randomBytes((int) (PART * 2 + 1));
    Digest promised = Digest.sha256("something else".getBytes(UTF_8));
    BlobWriter writer = store.create(promised);
    writer.write(ByteBuffer.wrap(content));
    assertThat(pendingUploads()).hasSize(1);

    assertThatThrownBy(writer::commit).isInstanceOf(DigestMismatchException.class);

    assertThat(pendingUploads()).as("nothing left billed").isEmpty();
    assertThat(keys()).as("nothing visible").isEmpty();
    assertThat(writer.tempFile()).doesNotExist();
  }

  @Test
  void cancel_afterSeveralParts_abortsTheUpload() throws IOException {
    BlobStore store = newStore();
    byte[] content = TestBlobs.randomBytes((int) (PART + 1000));
    BlobWriter writer = store.create(Digest.sha256(content));
    writer.write(ByteBuffer.wrap(content));
    assertThat(pendingUploads()).hasSize(1);

    writer.cancel();

    assertThat(pendingUploads()).isEmpty();
    assertThat(keys()).isEmpty();
    assertThat(writer.tempFile()).doesNotExist();
  }

  @Test
  void commit_afterAnotherWriterCommittedAMultipartBlob_abortsItsOwnUpload() throws IOException {
    BlobStore store = newStore();
    byte[] content = TestBlobs.randomBytes((int) (PART + 10));
    Digest digest = Digest.sha256(content);
    BlobWriter first = store.create(digest);
    BlobWriter second = store.create(digest);
    first.write(ByteBuffer.wrap(content));
    second.write(ByteBuffer.wrap(content));
    assertThat(pendingUploads()).hasSize(2);

    first.commit();
    second.commit();

    assertThat(pendingUploads()).isEmpty();
    assertThat(keys()).hasSize(1);
  }

  @Test
  void open_readsFromAnyPositionWithRangedGets_withoutAFileChannel() throws IOException {
    BlobStore store = newStore();
    byte[] content = TestBlobs.randomBytes(300_000);
    Digest digest = Digest.sha256(content);
    write(store, content);

    try (BlobReader reader = store.open(digest).orElseThrow()) {
      assertThat(reader.fileChannel()).isEmpty();
      assertThat(read(reader, 250_000, 1000))
          .isEqualTo(Arrays.copyOfRange(content, 250_000, 251_000));
      assertThat(read(reader, 251_000, 10))
          .isEqualTo(Arrays.copyOfRange(content, 251_000, 251_010));
      assertThat(read(reader, 5, 5)).isEqualTo(Arrays.copyOfRange(content, 5, 10));
      assertThat(read(reader, 299_990, 100))
          .isEqualTo(Arrays.copyOfRange(content, 299_990, 300_000));
      assertThat(read(reader, 300_000, 100)).isEmpty();
    }
  }

  @Test
  void checkWritable_missingBucket_fails() throws IOException {
    newStore();
    BlobStore missing = S3BlobStore.open(s3, new S3Layout("no-such-bucket", ""), dataDir, PART);

    assertThatThrownBy(missing::checkWritable).isInstanceOf(IOException.class);
  }

  @Test
  void checkWritable_existingBucket_passes() throws IOException {
    newStore().checkWritable();
  }

  private static void write(BlobStore store, byte[] content) throws IOException {
    try (BlobWriter writer = store.create(Digest.sha256(content))) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit();
    }
  }

  private static byte[] read(BlobReader reader, long position, int length) throws IOException {
    ByteBuffer out = ByteBuffer.allocate(length);
    int read = reader.read(out, position);
    return Arrays.copyOf(out.array(), read);
  }

  private GetObjectRequest get(String key) {
    return GetObjectRequest.builder().bucket(layout.bucket()).key(key).build();
  }

  private java.util.List<String> keys() {
    return s3
        .listObjectsV2(ListObjectsV2Request.builder().bucket(layout.bucket()).build())
        .contents()
        .stream()
        .map(S3Object::key)
        .toList();
  }

  private java.util.List<?> pendingUploads() {
    return s3.listMultipartUploads(
            ListMultipartUploadsRequest.builder().bucket(layout.bucket()).build())
        .uploads();
  }
}
