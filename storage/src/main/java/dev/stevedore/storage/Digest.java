package dev.stevedore.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:4f5a...}: the key of the content-addressed store.
 *
 * <p>Only {@code sha256} and {@code sha512} with lowercase hex are accepted, so a digest is always
 * safe to use as a file name.
 */
public record Digest(String algorithm, String hex) {

  private static final Pattern SHA256_HEX = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern SHA512_HEX = Pattern.compile("[a-f0-9]{128}");

  public Digest {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(hex, "hex");
    Pattern pattern =
        switch (algorithm) {
          case "sha256" -> SHA256_HEX;
          case "sha512" -> SHA512_HEX;
          default ->
              throw new IllegalArgumentException("unsupported digest algorithm: " + algorithm);
        };
    if (!pattern.matcher(hex).matches()) {
      throw new IllegalArgumentException("invalid " + algorithm + " digest: " + hex);
    }
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

  /** True when {@code text} is a digest this store accepts. */
  public static boolean isValid(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
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

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
