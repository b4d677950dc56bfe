package dev.stevedore.storage;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;
import java.util.Optional;

/**
 * A committed blob read from an open file. The open file keeps the bytes even if the blob is
 * evicted or deleted meanwhile (an unlinked file lives until its last handle closes).
 */
final class FileBlobReader extends CommittedBlobReader {
  private final FileChannel file;

  FileBlobReader(Digest digest, FileChannel file, long size) {
    super(digest, size);
    this.file = Objects.requireNonNull(file, "file");
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return FileReads.read(file, dst, position, size(), digest());
  }

  @Override
  public Optional<FileChannel> fileChannel() {
    return Optional.of(file);
  }

  @Override
  public void close() {
    FileReads.closeQuietly(file);
  }

  /** Positional reads bounded by what may be read; shared by the file-backed readers. */
  static final class FileReads {
    private FileReads() {}

    static int read(FileChannel file, ByteBuffer dst, long position, long limit, Digest digest)
        throws IOException {
      long wanted = Math.min(dst.remaining(), limit - position);
      if (wanted <= 0) {
        return 0;
      }
      int oldLimit = dst.limit();
      dst.limit(dst.position() + (int) wanted);
      try {
        int total = 0;
        while (dst.hasRemaining()) {
          int read = file.read(dst, position + total);
          if (read < 0) {
            throw new EOFException("blob " + digest + " ends before byte " + (position + wanted));
          }
          total += read;
        }
        return total;
      } finally {
        dst.limit(oldLimit);
      }
    }

    static void closeQuietly(FileChannel file) {
      try {
        file.close();
      } catch (IOException ignored) {
        // a read-only handle: nothing was lost
      }
    }
  }
}
