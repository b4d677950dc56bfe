package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link BlobStore} must have. Subclasses supply a fresh, empty store. */
abstract class BlobStoreContract {

  /** A new, empty store; called once per test. */
  protected abstract BlobStore newStore() throws IOException;

  @Test
  void commit_thenStat_returnsExactBytesAndSize() throws IOException {
    BlobStore store = newStore();
    byte[] content = "hello, blob".getBytes(UTF_8);
    Digest digest = Digest.sha256(content);

    BlobInfo committed;
    try (BlobWriter writer = store.create(digest)) {
      writer.write(ByteBuffer.wrap(content, 0, 5));
      writer.write(ByteBuffer.wrap(content, 5, content.length - 5));
      committed = writer.commit();
    }

    assertThat(committed.digest()).isEqualTo(digest);
    assertThat(committed.size()).isEqualTo(content.length);
    BlobInfo stat = store.stat(digest).orElseThrow();
    assertThat(stat).isEqualTo(committed);
    assertThat(Files.readAllBytes(stat.path())).isEqualTo(content);
  }

  @Test
  void commit_largeBlobInManyWrites_storesEveryByte() throws IOException {
    BlobStore store = newStore();
    byte[] content = TestBlobs.randomBytes(3 * 1024 * 1024 + 17);
    Digest digest = Digest.sha256(content);

    try (BlobWriter writer = store.create(digest)) {
      for (int offset = 0; offset < content.length; offset += 64 * 1024) {
        int length = Math.min(64 * 1024, content.length - offset);
        writer.write(ByteBuffer.wrap(content, offset, length));
      }
      writer.commit();
    }

    assertThat(Files.readAllBytes(store.stat(digest).orElseThrow().path())).isEqualTo(content);
  }

  @Test
  void commit_emptyBlob_isStored() throws IOException {
    BlobStore store = newStore();
    Digest digest = Digest.sha256(new byte[0]);

    try (BlobWriter writer = store.create(digest)) {
      writer.commit();
    }

    assertThat(store.stat(digest).orElseThrow().size()).isZero();
  }

  @Test
  void commit_sha512_isVerifiedAndStored() throws IOException {
    BlobStore store = newStore();
    byte[] content = "sha512 content".getBytes(UTF_8);
    Digest digest = TestBlobs.sha512(content);

    try (BlobWriter writer = store.create(digest)) {
      writer.write(ByteBuffer.wrap(content));
      assertThat(writer.commit().size()).isEqualTo(content.length);
    }

    assertThat(Files.readAllBytes(store.stat(digest).orElseThrow().path())).isEqualTo(content);
  }

  @Test
  void write_consumesOnlyTheBuffersRemainingBytes() throws IOException {
    BlobStore store = newStore();
    byte[] content = "middle".getBytes(UTF_8);
    ByteBuffer buffer = ByteBuffer.wrap("[[middle]]".getBytes(UTF_8), 2, content.length);

    try (BlobWriter writer = store.create(Digest.sha256(content))) {
      writer.write(buffer);
      assertThat(buffer.hasRemaining()).isFalse();
      assertThat(writer.written()).isEqualTo(content.length);
      writer.commit();
    }

    assertThat(store.stat(Digest.sha256(content))).isPresent();
  }

  @Test
  void write_directBuffer_isHashedAndStored() throws IOException {
    BlobStore store = newStore();
    byte[] content = TestBlobs.randomBytes(10_000);
    ByteBuffer direct = ByteBuffer.allocateDirect(content.length).put(content).flip();

    try (BlobWriter writer = store.create(Digest.sha256(content))) {
      writer.write(direct);
      writer.commit();
    }

    assertThat(store.stat(Digest.sha256(content)).orElseThrow().size()).isEqualTo(content.length);
  }

  @Test
  void commit_wrongContent_throwsMismatchAndLeavesNothing() throws IOException {
    BlobStore store = newStore();
    Digest expected = Digest.sha256("expected".getBytes(UTF_8));
    byte[] other = "something else".getBytes(UTF_8);
    BlobWriter writer = store.create(expected);
    writer.write(ByteBuffer.wrap(other));

    assertThatThrownBy(writer::commit)
        .isInstanceOfSatisfying(
            DigestMismatchException.class,
            e -> {
              assertThat(e.expected()).isEqualTo(expected);
              assertThat(e.actual()).isEqualTo(Digest.sha256(other));
            });

    assertThat(store.stat(expected)).isEmpty();
    assertThat(store.stat(Digest.sha256(other))).isEmpty();
    assertThat(writer.tempFile()).doesNotExist();
    writer.cancel(); // still harmless
  }

  @Test
  void cancel_leavesNothing() throws IOException {
    BlobStore store = newStore();
    byte[] content = "cancel me".getBytes(UTF_8);
    BlobWriter writer = store.create(Digest.sha256(content));
    writer.write(ByteBuffer.wrap(content));

    writer.cancel();

    assertThat(writer.tempFile()).doesNotExist();
    assertThat(store.stat(Digest.sha256(content))).isEmpty();
  }

  @Test
  void cancel_isIdempotent() throws IOException {
    BlobStore store = newStore();
    BlobWriter writer = store.create(Digest.sha256(new byte[] {1}));
    writer.write(ByteBuffer.wrap(new byte[] {1}));

    writer.cancel();
    writer.cancel();
    writer.close();

    assertThat(writer.tempFile()).doesNotExist();
  }

  @Test
  void cancel_afterCommit_keepsTheBlob() throws IOException {
    BlobStore store = newStore();
    byte[] content = "keep me".getBytes(UTF_8);
    BlobWriter writer = store.create(Digest.sha256(content));
    writer.write(ByteBuffer.wrap(content));
    BlobInfo committed = writer.commit();

    writer.cancel();
    writer.close();

    assertThat(store.stat(Digest.sha256(content))).contains(committed);
    assertThat(Files.readAllBytes(committed.path())).isEqualTo(content);
  }

  @Test
  void close_withoutCommit_discards() throws IOException {
    BlobStore store = newStore();
    byte[] content = "abandoned".getBytes(UTF_8);
    Path tempFile;
    try (BlobWriter writer = store.create(Digest.sha256(content))) {
      writer.write(ByteBuffer.wrap(content));
      tempFile = writer.tempFile();
    }

    assertThat(tempFile).doesNotExist();
    assertThat(store.stat(Digest.sha256(content))).isEmpty();
  }

  @Test
  void write_afterCommit_throwsIllegalState() throws IOException {
    BlobStore store = newStore();
    BlobWriter writer = store.create(Digest.sha256(new byte[0]));
    writer.commit();

    assertThatThrownBy(() -> writer.write(ByteBuffer.wrap(new byte[] {1})))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void write_afterCancel_throwsIllegalState() throws IOException {
    BlobStore store = newStore();
    BlobWriter writer = store.create(Digest.sha256(new byte[0]));
    writer.cancel();

    assertThatThrownBy(() -> writer.write(ByteBuffer.wrap(new byte[] {1})))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void commit_afterAnotherWriterCommittedSameDigest_succeeds() throws IOException {
    BlobStore store = newStore();
    byte[] content = TestBlobs.randomBytes(50_000);
    Digest digest = Digest.sha256(content);
    BlobWriter first = store.create(digest);
    BlobWriter second = store.create(digest);
    assertThat(second.tempFile()).isNotEqualTo(first.tempFile());
    first.write(ByteBuffer.wrap(content));
    second.write(ByteBuffer.wrap(content));

    BlobInfo firstInfo = first.commit();
    BlobInfo secondInfo = second.commit();

    assertThat(secondInfo).isEqualTo(firstInfo);
    assertThat(second.tempFile()).doesNotExist();
    assertThat(Files.readAllBytes(store.stat(digest).orElseThrow().path())).isEqualTo(content);
  }

  @Test
  void written_growsAfterEachWrite_andTempFileHoldsThoseBytes() throws IOException {
    BlobStore store = newStore();
    byte[] content = "0123456789abcdef".getBytes(UTF_8);

    try (BlobWriter writer = store.create(Digest.sha256(content))) {
      assertThat(writer.written()).isZero();
      writer.write(ByteBuffer.wrap(content, 0, 10));
      assertThat(writer.written()).isEqualTo(10);
      assertThat(TestBlobs.readPrefix(writer.tempFile(), 10))
          .isEqualTo("0123456789".getBytes(UTF_8));
      writer.write(ByteBuffer.wrap(content, 10, 6));
      assertThat(writer.written()).isEqualTo(16);
      assertThat(TestBlobs.readPrefix(writer.tempFile(), 16)).isEqualTo(content);
      writer.commit();
    }
  }

  @Test
  void written_readerInAnotherThread_followsTheGrowingTempFile() throws Exception {
    BlobStore store = newStore();
    byte[] content = TestBlobs.randomBytes(1024 * 1024);
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (BlobWriter writer = store.create(Digest.sha256(content))) {
      Future<byte[]> follower = executor.submit(() -> follow(writer, content.length));
      for (int offset = 0; offset < content.length; offset += 8192) {
        writer.write(ByteBuffer.wrap(content, offset, 8192));
      }

      assertThat(follower.get(30, TimeUnit.SECONDS)).isEqualTo(content);
      writer.commit();
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void stat_missing_isEmpty() throws IOException {
    BlobStore store = newStore();

    assertThat(store.stat(Digest.sha256("absent".getBytes(UTF_8)))).isEmpty();
  }

  @Test
  void delete_committedBlob_removesIt() throws IOException {
    BlobStore store = newStore();
    byte[] content = "delete me".getBytes(UTF_8);
    Digest digest = Digest.sha256(content);
    try (BlobWriter writer = store.create(digest)) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit();
    }

    assertThat(store.delete(digest)).isTrue();

    assertThat(store.stat(digest)).isEmpty();
    assertThat(store.delete(digest)).isFalse();
  }

  @Test
  void delete_missing_returnsFalse() throws IOException {
    BlobStore store = newStore();

    assertThat(store.delete(Digest.sha256("never stored".getBytes(UTF_8)))).isFalse();
  }

  /** Reads the temp file as a concurrent client would: never past {@code written()}. */
  private static byte[] follow(BlobWriter writer, int total) throws IOException {
    ByteBuffer out = ByteBuffer.allocate(total);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    try (FileChannel in = FileChannel.open(writer.tempFile(), StandardOpenOption.READ)) {
      while (out.hasRemaining()) {
        long available = writer.written();
        if (available > out.position()) {
          out.limit((int) available);
          in.read(out, out.position());
          out.limit(total);
        } else if (System.nanoTime() > deadline) {
          throw new AssertionError("writer stalled at " + available + " bytes");
        } else {
          Thread.onSpinWait();
        }
      }
    }
    return out.array();
  }
}
