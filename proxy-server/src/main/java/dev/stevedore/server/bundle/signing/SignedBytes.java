package dev.stevedore.server.bundle.signing;

import java.util.Objects;
import java.util.Optional;

/**
 * What a bundle's signature covers: the exact bytes of {@code index.json}, followed by the exact
 * bytes of {@code stevedore-bundle.json} when the bundle has one. Both the exporter and the
 * importer build them here, so they cannot disagree.
 */
public final class SignedBytes {
  private SignedBytes() {}

  /** {@code index} followed by {@code record}, if present. */
  public static byte[] of(byte[] index, Optional<byte[]> record) {
    Objects.requireNonNull(index, "index");
    byte[] tail = record.orElse(new byte[0]);
    byte[] signed = new byte[index.length + tail.length];
    System.arraycopy(index, 0, signed, 0, index.length);
    System.arraycopy(tail, 0, signed, index.length, tail.length);
    return signed;
  }
}
