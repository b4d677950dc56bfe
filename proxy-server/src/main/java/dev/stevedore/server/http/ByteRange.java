package dev.stevedore.server.http;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One satisfiable byte range of a representation of known length: first to last, inclusive. */
record ByteRange(long first, long last) {

  private static final Pattern SINGLE = Pattern.compile("bytes=\\s*(\\d*)\\s*-\\s*(\\d*)\\s*");

  long length() {
    return last - first + 1;
  }

  String contentRange(long size) {
    return "bytes " + first + "-" + last + "/" + size;
  }

  /** What a {@code Range} header asks of a body of {@code size} bytes. */
  sealed interface Request permits Whole, Partial, Unsatisfiable {}

  /** No usable Range header (absent, malformed or several ranges): send everything. */
  record Whole() implements Request {}

  record Partial(ByteRange range) implements Request {}

  record Unsatisfiable() implements Request {}

  static Request parse(Optional<String> header, long size) {
    if (header.isEmpty()) {
      return new Whole();
    }
    Matcher matcher = SINGLE.matcher(header.get());
    if (!matcher.matches() || (matcher.group(1).isEmpty() && matcher.group(2).isEmpty())) {
      return new Whole();
    }
    if (matcher.group(1).isEmpty()) {
      long suffix = parseClamped(matcher.group(2));
      if (suffix == 0 || size == 0) {
        return new Unsatisfiable();
      }
      return new Partial(new ByteRange(Math.max(0, size - suffix), size - 1));
    }
    long first = parseClamped(matcher.group(1));
    long last = matcher.group(2).isEmpty() ? Long.MAX_VALUE : parseClamped(matcher.group(2));
    if (last < first) {
      return new Whole();
    }
    if (first >= size) {
      return new Unsatisfiable();
    }
    return new Partial(new ByteRange(first, Math.min(last, size - 1)));
  }

  /** A byte position; one too large for a long means "to the end" (RFC 9110 clamps it). */
  private static long parseClamped(String digits) {
    return digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
  }
}
