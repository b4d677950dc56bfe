package dev.stevedore.core.model;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.storage.Digest;
import java.util.Objects;
import java.util.Optional;

/** The reference part of a manifest URL: a tag ({@code 3.19}) or a digest ({@code sha256:…}). */
public record Reference(String value) {

  private static final int MAX_TAG_LENGTH = 128;

  public Reference {
    Objects.requireNonNull(value, "value");
    if (value.indexOf(':') >= 0) {
      if (!Digest.isValid(value)) {
        throw ErrorCode.DIGEST_INVALID.exception(
            "invalid digest: " + RepositoryName.printable(value));
      }
    } else if (!isTag(value)) {
      throw ErrorCode.MANIFEST_INVALID.exception("invalid tag: " + RepositoryName.printable(value));
    }
  }

  /** {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}, checked by hand: this runs on every request. */
  static boolean isTag(String value) {
    int length = value.length();
    if (length == 0 || length > MAX_TAG_LENGTH || !isWordChar(value.charAt(0))) {
      return false;
    }
    for (int i = 1; i < length; i++) {
      char c = value.charAt(i);
      if (!isWordChar(c) && c != '.' && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean isWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }

  /** Parses a tag or digest; throws a {@link dev.stevedore.core.error.RegistryException}. */
  public static Reference parse(String value) {
    return new Reference(value);
  }

  public static Reference of(Digest digest) {
    return new Reference(digest.toString());
  }

  public boolean isDigest() {
    return value.indexOf(':') >= 0;
  }

  /** The digest, when this reference is one. */
  public Optional<Digest> digest() {
    return isDigest() ? Optional.of(Digest.parse(value)) : Optional.empty();
  }

  @Override
  public String toString() {
    return value;
  }
}
