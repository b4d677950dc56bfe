package dev.stevedore.server.bundle;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One 512-byte tar header block, in the POSIX ustar layout: encoded by {@link TarWriter}, decoded
 * (with its checksum verified) by {@link TarReader}. Sizes of 8 GiB and more use the base-256
 * encoding GNU tar, Go's archive/tar and libarchive read.
 *
 * <pre>
 * offset  size  field              offset  size  field
 *      0   100  name                  257     6  magic "ustar\0" (GNU: "ustar ")
 *    100     8  mode                  263     2  version "00"
 *    108     8  uid                   265    32  uname
 *    116     8  gid                   297    32  gname
 *    124    12  size                  329     8  devmajor
 *    136    12  mtime                 337     8  devminor
 *    148     8  checksum              345   155  prefix (ustar only)
 *    156     1  type
 *    157   100  linkname
 * </pre>
 */
record TarHeader(String name, long size, byte type) {
  static final int BLOCK = 512;
  static final byte REGULAR = '0';
  static final byte REGULAR_OLD = 0;
  static final byte DIRECTORY = '5';
  static final byte PAX_EXTENDED = 'x';
  static final byte PAX_GLOBAL = 'g';
  static final byte GNU_LONG_NAME = 'L';

  private static final int NAME_LENGTH = 100;
  private static final int PREFIX_LENGTH = 155;
  private static final long MAX_OCTAL_SIZE = 077777777777L; // 11 octal digits
  private static final byte[] USTAR_MAGIC = "ustar\0".getBytes(StandardCharsets.US_ASCII);

  TarHeader {
    Objects.requireNonNull(name, "name");
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
  }

  /** Whether {@code name} fits a ustar header (with the prefix field) without a PAX record. */
  static boolean fitsUstar(String name) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    return bytes.length == name.length() && split(name) >= -1;
  }

  /**
   * Encodes a header for a file owned by root, mode 0644 (a PAX header gets the same). The name
   * must {@link #fitsUstar fit}.
   */
  static byte[] encode(String name, long size, byte type, long mtimeSeconds) {
    int split = split(name);
    if (split < -1) {
      throw new IllegalArgumentException("name does not fit a ustar header: " + name);
    }
    byte[] block = new byte[BLOCK];
    if (split == -1) {
      ascii(block, 0, NAME_LENGTH, name);
    } else {
      ascii(block, 0, NAME_LENGTH, name.substring(split + 1));
      ascii(block, 345, PREFIX_LENGTH, name.substring(0, split));
    }
    octal(block, 100, 8, 0644);
    octal(block, 108, 8, 0);
    octal(block, 116, 8, 0);
    if (size <= MAX_OCTAL_SIZE) {
      octal(block, 124, 12, size);
    } else {
      base256(block, 124, 12, size);
    }
    octal(block, 136, 12, mtimeSeconds);
    block[156] = type;
    System.arraycopy(USTAR_MAGIC, 0, block, 257, USTAR_MAGIC.length);
    block[263] = '0';
    block[264] = '0';
    Arrays.fill(block, 148, 156, (byte) ' ');
    long checksum = unsignedSum(block);
    octal(block, 148, 7, checksum); // six digits, NUL, then the space left in place
    block[155] = ' ';
    return block;
  }

  /** Whether the block is all zeros: the end-of-archive marker. */
  static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Decodes a header block, verifying its checksum.
   *
   * @throws BundleException if the checksum or a numeric field is wrong
   */
  static TarHeader decode(byte[] block, long offset) {
    long stored = number(block, 148, 8, offset, "checksum");
    byte[] copy = block.clone();
    Arrays.fill(copy, 148, 156, (byte) ' ');
    if (stored != unsignedSum(copy) && stored != signedSum(copy)) {
      throw new BundleException(
          "corrupt tar header at byte " + offset + " (checksum mismatch): the bundle is damaged");
    }
    String name = text(block, 0, NAME_LENGTH);
    boolean ustar = Arrays.equals(block, 257, 263, USTAR_MAGIC, 0, USTAR_MAGIC.length);
    String prefix = ustar ? text(block, 345, PREFIX_LENGTH) : "";
    if (!prefix.isEmpty()) {
      name = prefix + "/" + name;
    }
    long size = number(block, 124, 12, offset, "size");
    return new TarHeader(name, size, block[156]);
  }

  /** Bytes of padding after {@code size} bytes of content, up to the next block. */
  static int padding(long size) {
    return (int) ((BLOCK - size % BLOCK) % BLOCK);
  }

  /** Where to split a long name into prefix/name: -1 for no split, less for "does not fit". */
  private static int split(String name) {
    if (name.length() <= NAME_LENGTH) {
      return -1;
    }
    for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
      if (slash <= PREFIX_LENGTH && name.length() - slash - 1 <= NAME_LENGTH && slash > 0) {
        return slash;
      }
    }
    return -2;
  }

  private static void ascii(byte[] block, int at, int length, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, block, at, Math.min(bytes.length, length));
  }

  /** {@code length - 1} zero-padded octal digits and a NUL. */
  private static void octal(byte[] block, int at, int length, long value) {
    String digits = Long.toOctalString(value);
    String padded = "0".repeat(length - 1 - digits.length()) + digits;
    ascii(block, at, length - 1, padded);
    block[at + length - 1] = 0;
  }

  private static void base256(byte[] block, int at, int length, long value) {
    for (int i = length - 1; i > 0; i--) {
      block[at + i] = (byte) (value & 0xff);
      value >>>= 8;
    }
    block[at] = (byte) 0x80;
  }

  private static long number(byte[] block, int at, int length, long offset, String field) {
    if ((block[at] & 0x80) != 0) {
      if ((block[at] & 0x40) != 0) {
        throw invalid(offset, field);
      }
      long value = block[at] & 0x3f;
      for (int i = 1; i < length; i++) {
        if ((value >>> 55) != 0) {
          throw invalid(offset, field);
        }
        value = (value << 8) | (block[at + i] & 0xff);
      }
      return value;
    }
    int i = at;
    int end = at + length;
    while (i < end && (block[i] == ' ' || block[i] == 0)) {
      i++;
    }
    long value = 0;
    boolean digits = false;
    for (; i < end && block[i] != ' ' && block[i] != 0; i++) {
      int digit = block[i] - '0';
      if (digit < 0 || digit > 7 || (value >>> 60) != 0) {
        throw invalid(offset, field);
      }
      value = value * 8 + digit;
      digits = true;
    }
    for (; i < end; i++) {
      if (block[i] != ' ' && block[i] != 0) {
        throw invalid(offset, field);
      }
    }
    if (!digits && !field.equals("size")) {
      throw invalid(offset, field);
    }
    return value;
  }

  private static BundleException invalid(long offset, String field) {
    return new BundleException(
        "corrupt tar header at byte "
            + offset
            + " (bad "
            + field
            + " field): the bundle is damaged");
  }

  private static String text(byte[] block, int at, int length) {
    int end = at;
    while (end < at + length && block[end] != 0) {
      end++;
    }
    return new String(block, at, end - at, StandardCharsets.UTF_8);
  }

  private static long unsignedSum(byte[] block) {
    long sum = 0;
    for (byte b : block) {
      sum += b & 0xff;
    }
    return sum;
  }

  private static long signedSum(byte[] block) {
    long sum = 0;
    for (byte b : block) {
      sum += b;
    }
    return sum;
  }
}
