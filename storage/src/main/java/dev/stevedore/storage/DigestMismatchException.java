package dev.stevedore.storage;

import java.io.IOException;

/** Content did not hash to the digest it was stored under; it was discarded. */
public final class DigestMismatchException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Digest expected;
  private final transient Digest actual;

  public DigestMismatchException(Digest expected, Digest actual) {
    super("content digest " + actual + " does not match expected " + expected);
    this.expected = expected;
    this.actual = actual;
  }

  public Digest expected() {
    return expected;
  }

  public Digest actual() {
    return actual;
  }
}
