package dev.stevedore.server.it.support;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Content-addressed bytes of a test image (layer, config or manifest) with their media type and
 * {@code sha256:HEX} digest. Equality is by digest.
 */
public record Blob(String mediaType, byte[] bytes, String digest) {

  public static Blob of(String mediaType, byte[] bytes) {
    return new Blob(mediaType, bytes, sha256(bytes));
  }

  public long size() {
    return bytes.length;
  }

  /** The OCI descriptor {@code {mediaType, digest, size}} that references this blob. */
  public Map<String, Object> descriptor() {
    Map<String, Object> descriptor = new LinkedHashMap<>();
    descriptor.put("mediaType", mediaType);
    descriptor.put("digest", digest);
    descriptor.put("size", bytes.length);
    return descriptor;
  }

  /** {@code sha256:} plus the lowercase hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Blob blob
        && blob.digest.equals(digest)
        && blob.mediaType.equals(mediaType)
        && Arrays.equals(blob.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return digest.hashCode();
  }

  @Override
  public String toString() {
    return "Blob[" + mediaType + ", " + digest + ", " + bytes.length + " bytes]";
  }
}
