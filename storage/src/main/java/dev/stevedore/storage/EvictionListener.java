package dev.stevedore.storage;

/**
 * Hears of blobs the {@link BlobIndex} evicted to keep within its budget, once their file is gone.
 * Called on the thread that deleted the file (never an event loop): keep it quick.
 */
@FunctionalInterface
public interface EvictionListener {

  /** {@code digest}'s file of {@code size} bytes was deleted to make room. */
  void evicted(Digest digest, long size);

  /** Hears nothing. */
  EvictionListener NONE = (digest, size) -> {};
}
