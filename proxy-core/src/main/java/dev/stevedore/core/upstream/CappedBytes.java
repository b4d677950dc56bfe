package dev.stevedore.core.upstream;

import java.util.Objects;

/** A response body read up to a cap; {@code truncated} when upstream had more. */
record CappedBytes(byte[] bytes, boolean truncated) {

  static final CappedBytes EMPTY = new CappedBytes(new byte[0], false);

  CappedBytes {
    Objects.requireNonNull(bytes, "bytes");
  }
}
