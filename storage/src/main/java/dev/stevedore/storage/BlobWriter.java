package dev.stevedore.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Writes one blob into a temp file on the store's file system while hashing it. {@link #commit()}
 * verifies the digest, fsyncs and atomically renames; {@link #cancel()} discards. Not thread-safe:
 * one thread writes; other threads read what is written through {@link #openReader()}.
 */
public interface BlobWriter extends Closeable {

  /** The digest the content must hash to. */
  Digest expected();

  /** The temp file being written; for the store's own tools and tests. Read through readers. */
  Path tempFile();

  /** Bytes written so far (a volatile read; safe from any thread). */
  long written();

  /**
   * Opens a reader of this blob as it grows: it may read what is written, except the last byte of a
   * blob of announced size until the digest verified and the blob was committed. After a failed
   * write or digest mismatch it is {@link BlobReader#failed() failed}. Safe from any thread;
   * blocking.
   *
   * @throws IOException when the file cannot be opened, or the committed blob is gone already
   */
  BlobReader openReader() throws IOException;

  /** Appends all remaining bytes of {@code src} and hashes them. */
  void write(ByteBuffer src) throws IOException;

  /**
   * Verifies the hash, forces the file to disk and renames it to its final place.
   *
   * @throws DigestMismatchException when the content does not hash to {@link #expected()}; the temp
   *     file is deleted and nothing becomes visible
   */
  BlobInfo commit() throws IOException;

  /** Discards the temp file. Idempotent; a no-op after a commit. */
  void cancel();

  /** Same as {@link #cancel()} unless committed. */
  @Override
  default void close() {
    cancel();
  }
}
