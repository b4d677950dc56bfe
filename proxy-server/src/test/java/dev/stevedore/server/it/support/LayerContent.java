package dev.stevedore.server.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/** A layer as real tools expect it: a one-file ustar archive, gzip-compressed. */
record LayerContent(byte[] tar, byte[] gzip) {
  private static final int BLOCK = 512;

  /** Wraps {@code content} as file {@code fileName} in a tar, and gzips that tar. */
  static LayerContent of(String fileName, byte[] content) {
    byte[] tar = tar(fileName, content);
    ByteArrayOutputStream compressed = new ByteArrayOutputStream(tar.length + 1024);
    try (GZIPOutputStream gzip =
        new GZIPOutputStream(compressed, 64 * 1024) {
          {
            def.setLevel(Deflater.BEST_SPEED);
          }
        }) {
      gzip.write(tar);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new LayerContent(tar, compressed.toByteArray());
  }

  private static byte[] tar(String fileName, byte[] content) {
    int padded = (content.length + BLOCK - 1) / BLOCK * BLOCK;
    byte[] tar = new byte[BLOCK + padded + 2 * BLOCK];
    putString(tar, 0, 100, fileName);
    putOctal(tar, 100, 8, 0644);
    putOctal(tar, 108, 8, 0);
    putOctal(tar, 116, 8, 0);
    putOctal(tar, 124, 12, content.length);
    putOctal(tar, 136, 12, 1_700_000_000L);
    for (int i = 148; i < 156; i++) {
      tar[i] = ' ';
    }
    tar[156] = '0';
    putString(tar, 257, 6, "ustar");
    putString(tar, 263, 2, "00");
    putString(tar, 265, 32, "root");
    putString(tar, 297, 32, "root");
    long checksum = 0;
    for (int i = 0; i < BLOCK; i++) {
      checksum += tar[i] & 0xff;
    }
    putOctal(tar, 148, 7, checksum);
    System.arraycopy(content, 0, tar, BLOCK, content.length);
    return tar;
  }

  private static void putString(byte[] header, int offset, int length, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, header, offset, Math.min(bytes.length, length));
  }

  /** Zero-padded octal of {@code length - 1} digits followed by NUL. */
  private static void putOctal(byte[] header, int offset, int length, long value) {
    String octal = Long.toOctalString(value);
    String padded = "0".repeat(Math.max(0, length - 1 - octal.length())) + octal;
    putString(header, offset, length - 1, padded);
    header[offset + length - 1] = 0;
  }
}
