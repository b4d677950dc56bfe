package dev.stevedore.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BlobStore} whose blobs are tracked in a {@link BlobIndex}, which keeps them within a
 * disk budget. Every commit registers the blob, every {@link #open} and {@link #stat} counts as a
 * use (frequency), and blobs the index evicts are deleted once no one pins them. A reader is opened
 * under a pin; from then on its open file keeps the bytes, even if the blob is evicted and its file
 * unlinked. A blob on disk the index does not know (written by another process sharing the data
 * directory) is indexed when first seen.
 */
public final class IndexedBlobStore implements BlobStore {
  private static final Logger log = LoggerFactory.getLogger(IndexedBlobStore.class);

  private final BlobStore files;
  private final BlobIndex index;
  private final FsLayout layout;

  private IndexedBlobStore(BlobStore files, BlobIndex index, FsLayout layout) {
    this.files = files;
    this.index = index;
    this.layout = layout;
  }

  /**
   * Opens the blob store of the data directory {@code root} (see {@link FileSystemBlobStore#open})
   * with an empty index; call {@link #rebuild()} to index what is already on disk.
   */
  public static IndexedBlobStore open(Path root, OptionalLong budget, EvictionListener listener)
      throws IOException {
    return open(root, BlobIndex.builder().budget(budget).listener(listener));
  }

  /** Like {@link #open(Path, OptionalLong, EvictionListener)} with every index setting given. */
  public static IndexedBlobStore open(Path root, BlobIndex.Builder settings) throws IOException {
    Objects.requireNonNull(settings, "settings");
    FileSystemBlobStore files = FileSystemBlobStore.open(root);
    return new IndexedBlobStore(files, settings.build(files::delete), new FsLayout(root));
  }

  public BlobIndex index() {
    return index;
  }

  /**
   * Indexes every blob on disk. Without access history the most recently used are the most
   * valuable: they are indexed first, and once the budget is full (it was lowered) the older ones
   * are evicted. Safe while the store is in use. Blocking.
   */
  public void rebuild() throws IOException {
    long started = System.nanoTime();
    List<BlobScan.Entry> found = BlobScan.scan(layout);
    long evictionsBefore = index.evictions();
    for (BlobScan.Entry entry : found) {
      try (BlobIndex.Pin pin = index.pin(entry.digest())) {
        // Re-checked under the pin: eviction may have deleted it since the scan.
        if (Files.isRegularFile(entry.path())) {
          index.load(entry.digest(), entry.size());
        }
      }
    }
    index.cleanUp();
    log.info(
        "Indexed {} blobs found in {} in {} ms: {} blobs, {} bytes kept (budget {}), {} evicted",
        found.size(),
        layout.blobsDir(),
        (System.nanoTime() - started) / 1_000_000,
        index.count(),
        index.bytes(),
        index.budget().isPresent() ? index.budget().getAsLong() + " bytes" : "unlimited",
        index.evictions() - evictionsBefore);
  }

  @Override
  public Optional<BlobReader> open(Digest digest) throws IOException {
    // Pinned while it opens, so a pending eviction cannot delete the file between the open and the
    // use that keeps it; once open, the handle keeps the bytes whatever happens to the file.
    try (BlobIndex.Pin pin = index.pin(digest)) {
      Optional<BlobReader> reader = files.open(digest);
      used(digest, reader.isPresent() ? reader.get().size() : -1);
      return reader;
    }
  }

  @Override
  public Optional<BlobInfo> stat(Digest digest) throws IOException {
    try (BlobIndex.Pin pin = index.pin(digest)) {
      Optional<BlobInfo> info = files.stat(digest);
      used(digest, info.isPresent() ? info.get().size() : -1);
      return info;
    }
  }

  /** Counts a use of a blob of {@code size} bytes, or forgets one found missing (size < 0). */
  private void used(Digest digest, long size) {
    if (size >= 0) {
      index.use(digest, size);
    } else if (index.contains(digest)) {
      index.forget(digest);
    }
  }

  @Override
  public void recordUse(Digest digest, long size) {
    index.touch(digest);
  }

  @Override
  public BlobWriter create(Digest expected, long size) throws IOException {
    return new IndexedBlobWriter(files.create(expected, size), index);
  }

  @Override
  public void checkWritable() throws IOException {
    files.checkWritable();
  }

  /** Deletes at once, held or not: the caller wants it gone. */
  @Override
  public boolean delete(Digest digest) throws IOException {
    index.forget(digest);
    return files.delete(digest);
  }
}
