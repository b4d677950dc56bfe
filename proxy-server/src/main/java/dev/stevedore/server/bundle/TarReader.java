package dev.stevedore.server.bundle;

import dev.stevedore.storage.text.Printable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a tar archive sequentially, trusting nothing: every header's checksum is verified, every
 * name must be a safe relative path (no absolute paths, no {@code ..}), and only regular files and
 * directories are accepted (directories are skipped); links, devices and FIFOs are refused. PAX
 * {@code path}/{@code size} records and GNU long names are understood. An archive that ends before
 * its end-of-archive marker is truncated. Every problem is a {@link BundleException}.
 */
final class TarReader {
  private static final int MAX_METADATA = 64 * 1024;

  private final InputStream in;
  private long offset;
  private EntryStream current;
  private boolean ended;

  TarReader(InputStream in) {
    this.in = Objects.requireNonNull(in, "in");
  }

  /** A regular file of the archive; read its content before asking for the next entry. */
  record Entry(String name, long size, InputStream content) {}

  /** The next regular file, or empty at the end-of-archive marker. */
  Optional<Entry> next() throws IOException {
    if (ended) {
      return Optional.empty();
    }
    skipRest();
    String longName = null;
    Long paxSize = null;
    while (true) {
      long headerOffset = offset;
      byte[] block = readBlock("the next entry's header");
      if (TarHeader.isZero(block)) {
        ended = true;
        return Optional.empty();
      }
      TarHeader header = TarHeader.decode(block, headerOffset);
      switch (header.type()) {
        case TarHeader.PAX_EXTENDED -> {
          for (String[] record : paxRecords(readMetadata(header))) {
            if (record[0].equals("path")) {
              longName = record[1];
            } else if (record[0].equals("size")) {
              paxSize = parsePaxSize(record[1], headerOffset);
            }
          }
        }
        case TarHeader.GNU_LONG_NAME -> longName = trimNul(readMetadata(header));
        case TarHeader.PAX_GLOBAL ->
            skipBytes(header.size() + TarHeader.padding(header.size()), header.name());
        case TarHeader.DIRECTORY -> {
          safeName(longName != null ? longName : header.name());
          skipBytes(header.size() + TarHeader.padding(header.size()), header.name());
          longName = null;
          paxSize = null;
        }
        case TarHeader.REGULAR, TarHeader.REGULAR_OLD -> {
          String name = safeName(longName != null ? longName : header.name());
          long size = paxSize != null ? paxSize : header.size();
          current = new EntryStream(name, size);
          return Optional.of(new Entry(name, size, current));
        }
        default ->
            throw new BundleException(
                "bundle entry "
                    + printable(longName != null ? longName : header.name())
                    + " is "
                    + describeType(header.type())
                    + "; a bundle may hold only regular files");
      }
    }
  }

  /**
   * The entry name made relative and normal ({@code ./a//b/} → {@code a/b}).
   *
   * @throws BundleException for an absolute path, a {@code ..} component, control characters or an
   *     empty name
   */
  static String safeName(String raw) {
    if (raw.isEmpty()) {
      throw new BundleException("bundle has an entry with an empty name");
    }
    if (raw.startsWith("/")) {
      throw new BundleException("bundle entry " + printable(raw) + " has an absolute path");
    }
    List<String> parts = new ArrayList<>();
    for (String part : raw.split("/")) {
      if (part.equals("..")) {
        throw new BundleException("bundle entry " + printable(raw) + " leaves the bundle (..)");
      }
      if (part.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '\\')) {
        throw new BundleException("bundle entry " + printable(raw) + " has an unsafe name");
      }
      if (!part.isEmpty() && !part.equals(".")) {
        parts.add(part);
      }
    }
    if (parts.isEmpty()) {
      return ".";
    }
    return String.join("/", parts);
  }

  private void skipRest() throws IOException {
    if (current != null) {
      current.finish();
      current = null;
    }
  }

  private byte[] readBlock(String what) throws IOException {
    byte[] block = in.readNBytes(TarHeader.BLOCK);
    offset += block.length;
    if (block.length < TarHeader.BLOCK) {
      throw truncated("in " + what);
    }
    return block;
  }

  private byte[] readMetadata(TarHeader header) throws IOException {
    if (header.size() > MAX_METADATA) {
      throw new BundleException(
          "bundle has an oversized tar extension header ("
              + header.size()
              + " bytes) at byte "
              + offset);
    }
    int size = (int) header.size();
    byte[] data = in.readNBytes(size);
    offset += data.length;
    if (data.length < size) {
      throw truncated("in a tar extension header");
    }
    skipBytes(TarHeader.padding(size), header.name());
    return data;
  }

  private void skipBytes(long count, String name) throws IOException {
    long left = count;
    byte[] buffer = new byte[8192];
    while (left > 0) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (read < 0) {
        throw truncated("inside " + printable(name));
      }
      left -= read;
      offset += read;
    }
  }

  private BundleException truncated(String where) {
    return new BundleException(
        "bundle is truncated: it ends "
            + where
            + " at byte "
            + offset
            + ", before the end of the archive");
  }

  /** PAX records {@code "<len> key=value\n"}. */
  private List<String[]> paxRecords(byte[] data) {
    List<String[]> records = new ArrayList<>();
    int at = 0;
    while (at < data.length) {
      int space = at;
      while (space < data.length && data[space] != ' ') {
        space++;
      }
      int length;
      try {
        length = Integer.parseInt(new String(data, at, space - at, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        throw corruptPax();
      }
      if (length <= space - at || at + length > data.length || data[at + length - 1] != '\n') {
        throw corruptPax();
      }
      String record = new String(data, space + 1, at + length - space - 2, StandardCharsets.UTF_8);
      int equals = record.indexOf('=');
      if (equals < 0) {
        throw corruptPax();
      }
      records.add(new String[] {record.substring(0, equals), record.substring(equals + 1)});
      at += length;
    }
    return records;
  }

  private BundleException corruptPax() {
    return new BundleException(
        "corrupt PAX header before byte " + offset + ": the bundle is damaged");
  }

  private static long parsePaxSize(String value, long offset) {
    try {
      long size = Long.parseLong(value);
      if (size < 0) {
        throw new NumberFormatException(value);
      }
      return size;
    } catch (NumberFormatException e) {
      throw new BundleException("corrupt PAX size at byte " + offset + ": the bundle is damaged");
    }
  }

  private static String trimNul(byte[] data) {
    int end = 0;
    while (end < data.length && data[end] != 0) {
      end++;
    }
    return new String(data, 0, end, StandardCharsets.UTF_8);
  }

  private static String describeType(byte type) {
    return switch (type) {
      case '1' -> "a hard link";
      case '2' -> "a symbolic link";
      case '3' -> "a character device";
      case '4' -> "a block device";
      case '6' -> "a FIFO";
      default ->
          "of unsupported tar type '" + printable(String.valueOf((char) (type & 0xff))) + "'";
    };
  }

  static String printable(String text) {
    return Printable.masked(text, 200);
  }

  /** The content of the current entry: exactly its size, then end of stream. */
  private final class EntryStream extends InputStream {
    private final String name;
    private final long size;
    private long remaining;
    private boolean done;

    EntryStream(String name, long size) {
      this.name = name;
      this.size = size;
      this.remaining = size;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int read = read(one, 0, 1);
      return read < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int at, int length) throws IOException {
      if (done) {
        throw new IOException("entry " + name + " was already passed");
      }
      if (remaining == 0) {
        return -1;
      }
      int read = in.read(buffer, at, (int) Math.min(length, remaining));
      if (read < 0) {
        throw truncated(
            "inside "
                + printable(name)
                + " after "
                + (size - remaining)
                + " of "
                + size
                + " bytes");
      }
      remaining -= read;
      offset += read;
      return read;
    }

    /** Skips what the caller did not read, and the padding. */
    void finish() throws IOException {
      if (!done) {
        skipBytes(remaining, name);
        remaining = 0;
        skipBytes(TarHeader.padding(size), name);
        done = true;
      }
    }
  }
}
