package dev.stevedore.storage;

import java.io.IOException;
import java.util.Optional;

/**
 * Content-addressed blobs on disk. A blob file under a digest's name always holds exactly the bytes
 * of that digest: new blobs are written through a {@link BlobWriter}, which verifies the digest
 * before the blob becomes visible.
 *
 * <p>All methods do blocking file I/O: never call them on an event loop.
 */
public interface BlobStore {

  /** The committed blob for {@code digest}, if present. */
  Optional<BlobInfo> stat(Digest digest) throws IOException;

  /**
   * Starts writing the blob that must hash to {@code expected}. Several writers for one digest may
   * exist at once; the first commit wins and later commits are harmless.
   */
  BlobWriter create(Digest expected) throws IOException;

  /**
   * Notes that a blob was served from a copy in memory, so a budgeted store still sees it as used.
   * Never blocks. No-op by default.
   */
  default void recordUse(Digest digest, long size) {}

  /** Fails when a new blob could not be written now (read-only or missing directory). */
  void checkWritable() throws IOException;

  /** Removes a committed blob; returns whether it existed. */
  boolean delete(Digest digest) throws IOException;
}
