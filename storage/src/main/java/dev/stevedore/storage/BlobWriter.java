package dev.stevedore.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Writes one blob into a temp file on the store's file system while hashing it. {@link #commit()}
 * verifies the digest, fsyncs and atomically renames; {@link #cancel()} discards. Not thread-safe:
 * one thread writes; other threads may read {@link #tempFile()} up to {@link #written()} bytes.
 */
public interface BlobWriter extends Closeable {

  /** The digest the content must hash to. */
  Digest expected();

  /**
   * The temp file being written; readers may open it and read the first {@link #written()} bytes.
   */
  Path tempFile();

  /** Bytes written so far (a volatile read; safe from any thread). */
  long written();

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
