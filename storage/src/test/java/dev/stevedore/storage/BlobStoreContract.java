package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link BlobStore} must have. Subclasses supply a fresh, empty store. */
abstract class BlobStoreContract {

  /** A new, empty store; called once per test. */
  protected abstract BlobStore newStore() throws IOException;

  private static void write(BlobStore store, byte[] content) throws IOException {
    try (BlobWriter writer = store.create(Digest.sha256(content))) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit();
    }
  }

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
    assertThat(readAll(store, digest)).isEqualTo(content);
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

    assertThat(readAll(store, digest)).isEqualTo(content);
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

    assertThat(readAll(store, digest)).isEqualTo(content);
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
    assertThat(readAll(store, committed.digest())).isEqualTo(content);
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
    assertThat(readAll(store, digest)).isEqualTo(content);
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
  void openReader_inAnotherThread_followsTheGrowingBlob() throws Exception {
    BlobStore store = newStore();
    byte[] content = TestBlobs.randomBytes(1024 * 1024);
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (BlobWriter writer = store.create(Digest.sha256(content));
        BlobReader reader = writer.openReader()) {
      Future<byte[]> follower = executor.submit(() -> follow(reader, content.length));
      for (int offset = 0; offset < content.length; offset += 8192) {
        writer.write(ByteBuffer.wrap(content, offset, 8192));
      }
      writer.commit();

      assertThat(follower.get(30, TimeUnit.SECONDS)).isEqualTo(content);
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void open_committed_readsExactBytesFromAnyPosition() throws IOException {
    BlobStore store = newStore();
    byte[] content = TestBlobs.randomBytes(100_000);
    Digest digest = Digest.sha256(content);
    write(store, content);

    try (BlobReader reader = store.open(digest).orElseThrow()) {
      assertThat(reader.digest()).isEqualTo(digest);
      assertThat(reader.size()).isEqualTo(content.length);
      assertThat(reader.readable()).isEqualTo(content.length);
      assertThat(reader.verified()).isTrue();
      assertThat(reader.failed()).isFalse();
      assertThat(done(reader.awaitReadable(content.length))).isTrue();
      assertThat(readRange(reader, 99_990, 100))
          .isEqualTo(Arrays.copyOfRange(content, 99_990, 100_000));
      assertThat(readRange(reader, 1000, 10)).isEqualTo(Arrays.copyOfRange(content, 1000, 1010));
      assertThat(reader.readAllBytes()).isEqualTo(content);
    }
  }

  @Test
  void open_missing_isEmpty() throws IOException {
    BlobStore store = newStore();

    assertThat(store.open(Digest.sha256("absent".getBytes(UTF_8)))).isEmpty();
  }

  @Test
  void open_reader_survivesDeletionOfTheBlob() throws IOException {
    BlobStore store = newStore();
    byte[] content = TestBlobs.randomBytes(70_000);
    Digest digest = Digest.sha256(content);
    write(store, content);

    try (BlobReader reader = store.open(digest).orElseThrow()) {
      assertThat(store.delete(digest)).isTrue();
      assertThat(store.open(digest)).isEmpty();

      assertThat(reader.readAllBytes()).isEqualTo(content);
    }
  }

  @Test
  void growingReader_readsWhatIsWritten_butTheLastByteOnlyAfterCommit() throws Exception {
    BlobStore store = newStore();
    byte[] content = "0123456789abcdef".getBytes(UTF_8);
    Digest digest = Digest.sha256(content);

    try (BlobWriter writer = store.create(digest, content.length);
        BlobReader reader = writer.openReader()) {
      assertThat(reader.size()).isEqualTo(content.length);
      assertThat(reader.readable()).isZero();
      writer.write(ByteBuffer.wrap(content, 0, 10));
      assertThat(reader.readable()).isEqualTo(10);
      assertThat(readRange(reader, 0, 16)).isEqualTo("0123456789".getBytes(UTF_8));
      writer.write(ByteBuffer.wrap(content, 10, 6));

      assertThat(reader.readable()).as("the last byte waits for the digest").isEqualTo(15);
      assertThat(readRange(reader, 10, 16)).isEqualTo("abcde".getBytes(UTF_8));
      CompletionStage<Void> lastByte = reader.awaitReadable(15);
      assertThat(done(lastByte)).isFalse();
      assertThat(reader.verified()).isFalse();

      writer.commit();

      assertThat(done(lastByte)).isTrue();
      assertThat(reader.verified()).isTrue();
      assertThat(reader.readable()).isEqualTo(16);
      assertThat(reader.readAllBytes()).isEqualTo(content);
    }
  }

  @Test
  void growingReader_unknownSize_readsAllWritten_verifiedOnlyAfterCommit() throws Exception {
    BlobStore store = newStore();
    byte[] content = "no length announced".getBytes(UTF_8);

    try (BlobWriter writer = store.create(Digest.sha256(content));
        BlobReader reader = writer.openReader()) {
      writer.write(ByteBuffer.wrap(content));
      assertThat(reader.size()).isEqualTo(BlobReader.UNKNOWN_SIZE);
      assertThat(reader.readable()).isEqualTo(content.length);
      CompletionStage<Void> end = reader.awaitReadable(content.length);
      assertThat(done(end)).isFalse();
      assertThat(reader.verified()).isFalse();

      writer.commit();

      assertThat(done(end)).isTrue();
      assertThat(reader.verified()).isTrue();
      assertThat(reader.size()).isEqualTo(content.length);
    }
  }

  @Test
  void growingReader_mismatchingDigest_neverMakesTheLastByteReadable() throws IOException {
    BlobStore store = newStore();
    byte[] wrong = "not what was promised".getBytes(UTF_8);
    Digest promised = Digest.sha256("what was promised".getBytes(UTF_8));
    BlobWriter writer = store.create(promised, wrong.length);
    BlobReader reader = writer.openReader();
    writer.write(ByteBuffer.wrap(wrong));
    CompletionStage<Void> lastByte = reader.awaitReadable(wrong.length - 1);

    assertThatThrownBy(writer::commit).isInstanceOf(DigestMismatchException.class);

    assertThat(done(lastByte)).as("the waiter learns of the failure").isTrue();
    assertThat(reader.failed()).isTrue();
    assertThat(reader.verified()).isFalse();
    assertThat(reader.readable()).isEqualTo(wrong.length - 1);
    assertThat(readRange(reader, 0, wrong.length)).hasSize(wrong.length - 1);
    assertThat(store.open(promised)).isEmpty();
    reader.close();
    try (BlobReader late = writer.openReader()) {
      assertThat(late.failed()).isTrue();
      assertThat(late.readable()).isZero();
    }
  }

  @Test
  void growingReader_announcedSizeNotMet_failsTheCommit() throws IOException {
    BlobStore store = newStore();
    byte[] content = "short".getBytes(UTF_8);
    BlobWriter writer = store.create(Digest.sha256(content), content.length + 1);
    BlobReader reader = writer.openReader();
    writer.write(ByteBuffer.wrap(content));

    assertThatThrownBy(writer::commit).isInstanceOf(IOException.class);

    assertThat(reader.failed()).isTrue();
    assertThat(store.open(Digest.sha256(content))).isEmpty();
    reader.close();
  }

  @Test
  void growingReader_waitingCompletesOnWrite_commitAndCancel() throws IOException {
    BlobStore store = newStore();
    byte[] content = TestBlobs.randomBytes(600 * 1024);
    BlobWriter writer = store.create(Digest.sha256(content), content.length);
    BlobReader reader = writer.openReader();
    CompletionStage<Void> anyByte = reader.awaitReadable(0);
    assertThat(done(anyByte)).isFalse();

    writer.write(ByteBuffer.wrap(content, 0, 300 * 1024));
    assertThat(done(anyByte)).as("woken by a large enough write").isTrue();
    CompletionStage<Void> more = reader.awaitReadable(reader.readable());
    writer.write(ByteBuffer.wrap(content, 300 * 1024, 300 * 1024));
    writer.commit();
    assertThat(done(more)).as("woken by the commit at the latest").isTrue();
    reader.close();

    BlobWriter cancelled = store.create(Digest.sha256(new byte[] {7}), 1);
    BlobReader abandoned = cancelled.openReader();
    CompletionStage<Void> never = abandoned.awaitReadable(0);
    cancelled.cancel();
    assertThat(done(never)).as("woken by the cancel").isTrue();
    assertThat(abandoned.failed()).isTrue();
    abandoned.close();
  }

  @Test
  void growingReader_keepsReadingAfterCancel_whatWasWritten() throws IOException {
    BlobStore store = newStore();
    byte[] content = TestBlobs.randomBytes(50_000);
    BlobWriter writer = store.create(Digest.sha256(content), content.length);
    writer.write(ByteBuffer.wrap(content, 0, 20_000));
    try (BlobReader reader = writer.openReader()) {
      writer.cancel();

      assertThat(readRange(reader, 0, 20_000)).isEqualTo(Arrays.copyOf(content, 20_000));
    }
  }

  @Test
  void openReader_afterCommit_readsTheCommittedBlob() throws IOException {
    BlobStore store = newStore();
    byte[] content = TestBlobs.randomBytes(5000);
    BlobWriter writer = store.create(Digest.sha256(content), content.length);
    writer.write(ByteBuffer.wrap(content));
    writer.commit();

    try (BlobReader reader = writer.openReader()) {
      assertThat(reader.verified()).isTrue();
      assertThat(reader.readAllBytes()).isEqualTo(content);
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

  /** Reads a growing blob as a concurrent client would: what is readable, then waits for more. */
  static byte[] follow(BlobReader reader, int total) throws Exception {
    ByteBuffer out = ByteBuffer.allocate(total);
    while (out.hasRemaining()) {
      if (reader.read(out, out.position()) == 0) {
        reader.awaitReadable(out.position()).toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertThat(reader.failed()).isFalse();
      }
    }
    return out.array();
  }

  private static byte[] readAll(BlobStore store, Digest digest) throws IOException {
    try (BlobReader reader = store.open(digest).orElseThrow()) {
      return reader.readAllBytes();
    }
  }

  private static byte[] readRange(BlobReader reader, long position, int length) throws IOException {
    ByteBuffer out = ByteBuffer.allocate(length);
    int read = reader.read(out, position);
    return Arrays.copyOf(out.array(), read);
  }

  private static boolean done(CompletionStage<Void> stage) {
    return stage.toCompletableFuture().isDone();
  }
}
