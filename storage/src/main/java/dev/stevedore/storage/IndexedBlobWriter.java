package dev.stevedore.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** A {@link BlobWriter} whose commit registers the blob in a {@link BlobIndex}. */
final class IndexedBlobWriter implements BlobWriter {
  private final BlobWriter writer;
  private final BlobIndex index;

  IndexedBlobWriter(BlobWriter writer, BlobIndex index) {
    this.writer = writer;
    this.index = index;
  }

  @Override
  public Digest expected() {
    return writer.expected();
  }

  @Override
  public Path tempFile() {
    return writer.tempFile();
  }

  @Override
  public long written() {
    return writer.written();
  }

  /**
   * Pinned while it opens: once committed, the reader opens the stored blob, which may be evicted.
   */
  @Override
  public BlobReader openReader() throws IOException {
    try (BlobIndex.Pin pin = index.pin(expected())) {
      return writer.openReader();
    }
  }

  @Override
  public void write(ByteBuffer src) throws IOException {
    writer.write(src);
  }

  /**
   * Commits and registers the blob, pinned throughout: a pending eviction of an earlier copy cannot
   * delete the file between the rename and the registration.
   */
  @Override
  public BlobInfo commit() throws IOException {
    try (BlobIndex.Pin pin = index.pin(expected())) {
      BlobInfo committed = writer.commit();
      index.use(committed.digest(), committed.size());
      return committed;
    }
  }

  @Override
  public void cancel() {
    writer.cancel();
  }

  @Override
  public String toString() {
    return "Indexed" + writer;
  }
}
