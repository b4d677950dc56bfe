package dev.stevedore.storage;

import java.io.IOException;
import java.util.Optional;

/**
 * Content-addressed blobs. A blob under a digest's name always holds exactly the bytes of that
 * digest: new blobs are written through a {@link BlobWriter}, which verifies the digest before the
 * blob becomes visible. Blobs are read through a {@link BlobReader}, never by a path: a reader
 * holds its bytes, so neither eviction nor deletion can take them from under it.
 *
 * <p>All methods do blocking file I/O: never call them on an event loop.
 */
public interface BlobStore {

  /**
   * The committed blob for {@code digest}, if present, opened for reading: one open, no separate
   * lookup. The caller closes it. Counts as a use of the blob.
   */
  Optional<BlobReader> open(Digest digest) throws IOException;

  /**
   * The size of the committed blob for {@code digest}, if present, without opening it (answering a
   * {@code HEAD}, checking presence). Counts as a use of the blob.
   */
  Optional<BlobInfo> stat(Digest digest) throws IOException;

  /**
   * Starts writing the blob that must hash to {@code expected} and be {@code size} bytes long
   * ({@link BlobReader#UNKNOWN_SIZE} when not known in advance). Several writers for one digest may
   * exist at once; the first commit wins and later commits are harmless.
   */
  BlobWriter create(Digest expected, long size) throws IOException;

  /**
   * Starts writing a copy of a blob that another writer (a peer replica) is putting into the shared
   * store: kept here only. The same as {@link #create(Digest, long)} for a store that is not
   * shared.
   */
  default BlobWriter createLocalCopy(Digest expected, long size) throws IOException {
    return create(expected, size);
  }

  /** Starts writing a blob of unknown size; see {@link #create(Digest, long)}. */
  default BlobWriter create(Digest expected) throws IOException {
    return create(expected, BlobReader.UNKNOWN_SIZE);
  }

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
