package dev.stevedore.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A reader of a blob still being written to a temp file, bounded by its {@link WriteProgress}. Its
 * open handle keeps the bytes through the commit (the file is renamed, not copied) and after a
 * failure (the temp file is unlinked, the handle still reads it). Without a file (the write had
 * already failed when the reader was asked for), it is a failed reader with nothing to read.
 */
final class GrowingFileReader implements BlobReader {
  private final Digest digest;
  private final WriteProgress progress;
  private final FileChannel file;

  GrowingFileReader(Digest digest, WriteProgress progress, FileChannel file) {
    this.digest = Objects.requireNonNull(digest, "digest");
    this.progress = Objects.requireNonNull(progress, "progress");
    this.file = file;
  }

  @Override
  public Digest digest() {
    return digest;
  }

  @Override
  public long size() {
    return progress.size();
  }

  @Override
  public long readable() {
    return file == null ? 0 : progress.readable();
  }

  @Override
  public boolean verified() {
    return file != null && progress.verified();
  }

  @Override
  public boolean failed() {
    return file == null || progress.failed();
  }

  @Override
  public CompletionStage<Void> awaitReadable(long position) {
    return progress.await(position);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    if (file == null) {
      return 0;
    }
    return FileBlobReader.FileReads.read(file, dst, position, progress.readable(), digest);
  }

  @Override
  public Optional<FileChannel> fileChannel() {
    return Optional.ofNullable(file);
  }

  @Override
  public void close() {
    if (file != null) {
      FileBlobReader.FileReads.closeQuietly(file);
    }
  }

  @Override
  public String toString() {
    return "GrowingFileReader[" + digest + ", " + progress + "]";
  }
}
