package dev.stevedore.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A content digest such as {@code sha256:4f5a...}: the key of the content-addressed store.
 *
 * <p>Only {@code sha256} and {@code sha512} with lowercase hex are accepted, so a digest is always
 * safe to use as a file name.
 */
public record Digest(String algorithm, String hex) {

  public Digest {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(hex, "hex");
    int hexLength = hexLength(algorithm, algorithm.length());
    if (hexLength < 0) {
      throw new IllegalArgumentException("unsupported digest algorithm: " + algorithm);
    }
    if (!isLowercaseHex(hex, 0, hexLength)) {
      throw new IllegalArgumentException("invalid " + algorithm + " digest: " + hex);
    }
  }

  /**
   * The hex length of the algorithm named by the first {@code end} characters of {@code text}, or
   * -1 for one this store does not accept.
   */
  private static int hexLength(String text, int end) {
    if (end == 6 && text.startsWith("sha256")) {
      return 64;
    }
    if (end == 6 && text.startsWith("sha512")) {
      return 128;
    }
    return -1;
  }

  /**
   * Whether {@code text} from {@code from} on is {@code [a-f0-9]{length}}, checked by hand: digests
   * are parsed on every request.
   */
  private static boolean isLowercaseHex(String text, int from, int length) {
    if (text.length() - from != length) {
      return false;
    }
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
        return false;
      }
    }
    return true;
  }

  /** Parses {@code algorithm:hex}; throws {@link IllegalArgumentException} if it is not one. */
  public static Digest parse(String text) {
    Objects.requireNonNull(text, "text");
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("digest has no algorithm: " + text);
    }
    return new Digest(text.substring(0, colon), text.substring(colon + 1));
  }

  /**
   * True when {@code text} is a digest this store accepts, exactly when {@link #parse} would
   * succeed; it builds nothing, so validating a reference costs no digest.
   */
  public static boolean isValid(String text) {
    Objects.requireNonNull(text, "text");
    int colon = text.indexOf(':');
    return colon >= 0 && isLowercaseHex(text, colon + 1, hexLength(text, colon));
  }

  /** The sha256 digest of {@code content}. */
  public static Digest sha256(byte[] content) {
    return fromHash("sha256", newMessageDigest("sha256").digest(content));
  }

  /** The digest of a finished {@link MessageDigest} of the given algorithm. */
  public static Digest fromHash(String algorithm, byte[] hash) {
    return new Digest(algorithm, HexFormat.of().formatHex(hash));
  }

  /** A fresh hasher for this digest's algorithm. */
  public MessageDigest newMessageDigest() {
    return newMessageDigest(algorithm);
  }

  private static MessageDigest newMessageDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK lacks " + algorithm, e);
    }
  }

  /**
   * The first 32 bits of the hash itself: digests are uniformly random already, and a digest is
   * usually parsed anew for each request, so hashing all of its text would be paid on every lookup.
   */
  @Override
  public int hashCode() {
    return Integer.parseUnsignedInt(hex, 0, 8, 16);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Digest that && hex.equals(that.hex) && algorithm.equals(that.algorithm);
  }

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
