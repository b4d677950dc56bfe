package dev.stevedore.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An open blob, committed or still being written, that may be read from any position. The store
 * hands it out instead of a path, so the two hard guarantees live in storage: the bytes cannot be
 * deleted under a reader (it holds them open), and a reader never sees all of a blob that did not
 * verify — while a blob of announced size is written, its last byte becomes {@link #readable()}
 * only once its digest verified and it was committed.
 *
 * <p>A committed blob is readable whole at once: {@link #verified()}, {@link #readable()} equals
 * {@link #size()}, and {@link #awaitReadable} completes at once. Readers of a growing blob read up
 * to {@link #readable()}, then wait for more with {@link #awaitReadable}. Thread-safe; reads and
 * {@link #close()} are blocking file I/O, the other methods never block.
 */
public interface BlobReader extends Closeable {
  /** The {@link #size()} of a blob still being written without an announced size. */
  long UNKNOWN_SIZE = -1;

  Digest digest();

  /** The blob's size in bytes, or {@link #UNKNOWN_SIZE} while it grows without an announced one. */
  long size();

  /**
   * How many bytes from the start may be read now. Grows while the blob is written; of a blob of
   * announced size it stays below {@link #size()} until the digest verified.
   */
  long readable();

  /** Whether every byte is readable and the digest verified (always true of a committed blob). */
  boolean verified();

  /**
   * Whether the blob will never be complete (its write failed or did not verify): what is {@link
   * #readable()} may still be read, but no more will come.
   */
  boolean failed();

  /**
   * Completes once more than {@code position} bytes are readable, or the blob verified or failed.
   * Completes at once for a committed blob.
   */
  CompletionStage<Void> awaitReadable(long position);

  /**
   * Reads bytes from {@code position} into {@code dst}, never past {@link #readable()}; returns how
   * many (0 when none are readable there yet).
   *
   * @throws java.io.EOFException when the bytes that should be readable are missing
   */
  int read(ByteBuffer dst, long position) throws IOException;

  /**
   * The open file that holds the bytes, when they are in a local file, so a server can send them
   * zero-copy; only the first {@link #readable()} bytes may be sent. Owned by this reader: closed
   * with it, never by the caller.
   */
  Optional<FileChannel> fileChannel();

  /** Releases the bytes; reading afterwards fails. Idempotent. */
  @Override
  void close();

  /** How long {@link #readAllBytes()} waits for a growing blob to complete. */
  Duration WHOLE_READ_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Reads the whole blob into memory, waiting (at most {@link #WHOLE_READ_TIMEOUT}) while it is
   * still being written and verified; for small blobs (manifests, configs). Blocking.
   *
   * @throws IOException when its size is unknown or too large, it fails or it does not complete in
   *     time
   */
  default byte[] readAllBytes() throws IOException {
    if (size() == UNKNOWN_SIZE || size() > Integer.MAX_VALUE - 8) {
      throw new IOException("cannot read blob " + digest() + " whole: unknown or too large size");
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) size());
    while (buffer.hasRemaining()) {
      if (read(buffer, buffer.position()) > 0) {
        continue;
      }
      if (failed()) {
        throw new IOException("blob " + digest() + " failed before it was complete");
      }
      if (verified()) {
        throw new java.io.EOFException("blob " + digest() + " ends before byte " + size());
      }
      try {
        awaitReadable(buffer.position())
            .toCompletableFuture()
            .get(WHOLE_READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted reading blob " + digest());
      } catch (ExecutionException | TimeoutException e) {
        throw new IOException("blob " + digest() + " did not complete: " + e, e);
      }
    }
    return buffer.array();
  }
}
