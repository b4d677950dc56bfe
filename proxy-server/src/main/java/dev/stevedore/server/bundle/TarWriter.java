package dev.stevedore.server.bundle;

import dev.stevedore.storage.BlobReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes a tar archive of regular files to a channel, one entry after another. File entries are
 * copied straight from their files ({@link FileChannel#transferTo}, so the kernel copies them when
 * it can); nothing is staged in memory beyond a header block. Names that do not fit a ustar header
 * get a PAX {@code path} record. Every entry is owned by root, mode 0644, with a fixed modification
 * time, so the same content always makes the same archive.
 */
final class TarWriter {
  private static final ByteBuffer ZEROS =
      ByteBuffer.allocate(2 * TarHeader.BLOCK).asReadOnlyBuffer();

  private final WritableByteChannel out;
  private final long mtimeSeconds;
  private long written;
  private boolean finished;

  TarWriter(WritableByteChannel out, long mtimeSeconds) {
    this.out = Objects.requireNonNull(out, "out");
    this.mtimeSeconds = mtimeSeconds;
  }

  /** Adds a regular file holding {@code content}. */
  void add(String name, byte[] content) throws IOException {
    header(name, content.length);
    writeFully(ByteBuffer.wrap(content));
    pad(content.length);
  }

  /**
   * Adds a regular file with the content of {@code file}, which must be {@code size} bytes long.
   *
   * @throws IOException if the file is not that long (it changed underneath)
   */
  void add(String name, Path file, long size) throws IOException {
    try (FileChannel source = FileChannel.open(file, StandardOpenOption.READ)) {
      add(name, source, size, file.toString());
    }
  }

  /**
   * Adds a regular file with the bytes of a committed blob, which must be {@code size} bytes long:
   * from its file with {@code transferTo} when it has one, else through a buffer.
   */
  void add(String name, BlobReader blob, long size) throws IOException {
    if (!blob.verified() || blob.size() != size) {
      throw new IOException(
          "blob " + blob.digest() + " holds " + blob.size() + " bytes, expected " + size);
    }
    Optional<FileChannel> file = blob.fileChannel();
    if (file.isPresent()) {
      add(name, file.get(), size, blob.digest().toString());
      return;
    }
    header(name, size);
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(64 * 1024, Math.max(1, size)));
    for (long position = 0; position < size; ) {
      buffer.clear();
      int read = blob.read(buffer, position);
      if (read <= 0) {
        throw new IOException("blob " + blob.digest() + " ended after " + position + " bytes");
      }
      buffer.flip();
      writeFully(buffer);
      position += read;
    }
    pad(size);
  }

  private void add(String name, FileChannel source, long size, String what) throws IOException {
    if (source.size() != size) {
      throw new IOException(what + " holds " + source.size() + " bytes, expected " + size);
    }
    header(name, size);
    long position = 0;
    while (position < size) {
      long copied = source.transferTo(position, size - position, out);
      if (copied <= 0) {
        copied = copyThroughBuffer(source, position, size);
      }
      position += copied;
      written += copied;
    }
    pad(size);
  }

  /** Writes the end-of-archive marker (two zero blocks). */
  void finish() throws IOException {
    if (!finished) {
      writeFully(ZEROS.duplicate());
      finished = true;
    }
  }

  /** Bytes written so far. */
  long written() {
    return written;
  }

  private void header(String name, long size) throws IOException {
    if (finished) {
      throw new IllegalStateException("archive already finished");
    }
    if (!TarHeader.fitsUstar(name)) {
      byte[] record = paxRecord("path", name);
      String paxName = "PaxHeaders/" + name.substring(name.lastIndexOf('/') + 1);
      paxName = paxName.length() > 100 ? paxName.substring(0, 100) : paxName;
      writeFully(
          ByteBuffer.wrap(
              TarHeader.encode(paxName, record.length, TarHeader.PAX_EXTENDED, mtimeSeconds)));
      writeFully(ByteBuffer.wrap(record));
      pad(record.length);
      name = name.substring(name.lastIndexOf('/') + 1);
      name = name.length() > 100 ? name.substring(0, 100) : name;
    }
    writeFully(ByteBuffer.wrap(TarHeader.encode(name, size, TarHeader.REGULAR, mtimeSeconds)));
  }

  /** {@code "<length> key=value\n"} where length counts the whole record, itself included. */
  static byte[] paxRecord(String key, String value) {
    int body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8).length;
    int length = body + Integer.toString(body).length();
    if (Integer.toString(length).length() != Integer.toString(body).length()) {
      length++;
    }
    return (length + " " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** When the kernel copy makes no progress: one buffer-sized read and write. */
  private long copyThroughBuffer(FileChannel source, long position, long size) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(64 * 1024, size - position));
    int read = source.read(buffer, position);
    if (read < 0) {
      throw new IOException("file ended after " + position + " of " + size + " bytes");
    }
    buffer.flip();
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
    return read;
  }

  private void pad(long size) throws IOException {
    int padding = TarHeader.padding(size);
    if (padding > 0) {
      writeFully(ZEROS.duplicate().limit(padding));
    }
  }

  private void writeFully(ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      written += out.write(buffer);
    }
  }
}
