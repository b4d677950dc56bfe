package dev.stevedore.server.http;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.storage.text.Printable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The request target, parsed once into its canonical form: the decoded path and its {@link Route},
 * the {@code ns} query parameter that picks the upstream, and the rest of the query to forward.
 * Authentication, the allow-list and routing all read this one value, so no spelling of a path can
 * be one thing to one check and another to the next.
 *
 * <p>A target that does not canonicalise is refused with {@code 400} before any decision: not an
 * absolute path, a malformed or double ({@code %25}) escape, an encoded slash, an empty, {@code .}
 * or {@code ..} segment (raw or encoded), or any character a registry path never holds (controls,
 * NUL, spaces, quotes, {@code ;} parameters, non-ASCII), raw or encoded. Escapes of the characters
 * a path may hold ({@code %76} for {@code v}) are decoded once.
 */
record RequestTarget(
    String path, Route route, Optional<String> namespace, Optional<String> forwardedQuery) {

  /** The query parameter that names the upstream (containerd's mirror convention). */
  static final String NAMESPACE_PARAMETER = "ns";

  RequestTarget {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(forwardedQuery, "forwardedQuery");
  }

  /**
   * Parses the request-target of a request line; throws a 400 {@code UNSUPPORTED} if not canonical.
   */
  static RequestTarget parse(String uri) {
    if (uri.isEmpty() || uri.charAt(0) != '/') {
      throw refused("the request target is not an absolute path", uri);
    }
    int question = uri.indexOf('?');
    String rawPath = question < 0 ? uri : uri.substring(0, question);
    String rawQuery = question < 0 ? "" : uri.substring(question + 1);
    String path = canonicalPath(rawPath, uri);
    Query query = Query.parse(rawQuery, uri);
    return new RequestTarget(path, Route.parse(path), query.namespace(), query.forwarded());
  }

  /** Characters a path segment may hold once decoded: what names, tags and digests use. */
  private static final boolean[] PATH_CHARACTERS = asciiSet("-._~:@+=");

  private static boolean[] asciiSet(String punctuation) {
    boolean[] set = new boolean[128];
    for (char c = 'a'; c <= 'z'; c++) {
      set[c] = true;
      set[Character.toUpperCase(c)] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      set[c] = true;
    }
    punctuation.chars().forEach(c -> set[c] = true);
    return set;
  }

  private static boolean pathCharacter(char c) {
    return c < 128 && PATH_CHARACTERS[c];
  }

  /**
   * The path decoded once, refused unless canonical. One pass over the characters, no regular
   * expression and no split: this runs for every request, and was a tenth of a cached manifest GET.
   */
  private static String canonicalPath(String raw, String uri) {
    StringBuilder decoded = null; // only when there is an escape to decode
    int segmentStart = 0; // index in the decoded path just after the last '/'
    int length = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        char escaped = (char) escapedByte(raw, i, uri);
        if (escaped == '/') {
          throw refused("an encoded slash in the path", uri);
        }
        if (escaped == '%') {
          throw refused("a double-encoded path", uri);
        }
        if (!pathCharacter(escaped)) {
          throw refused("an encoded character a path may not hold", uri);
        }
        if (decoded == null) {
          decoded = new StringBuilder(raw.length()).append(raw, 0, i);
        }
        decoded.append(escaped);
        i += 2;
        length++;
        continue;
      }
      if (c == '/') {
        if (length > 0) {
          checkSegment(decoded != null ? decoded : raw, segmentStart, length, false, uri);
        }
        segmentStart = length + 1;
      } else if (!pathCharacter(c)) {
        throw refused("a character a path may not hold", uri);
      }
      if (decoded != null) {
        decoded.append(c);
      }
      length++;
    }
    CharSequence path = decoded != null ? decoded : raw;
    checkSegment(path, segmentStart, length, true, uri);
    return decoded != null ? decoded.toString() : raw;
  }

  /** Refuses an empty segment (but the last) and the dot segments {@code .} and {@code ..}. */
  private static void checkSegment(
      CharSequence path, int start, int end, boolean last, String uri) {
    int size = end - start;
    if (size == 0 && !last) {
      throw refused("an empty path segment", uri);
    }
    if (size == 1 && path.charAt(start) == '.'
        || size == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.') {
      throw refused("a dot segment in the path", uri);
    }
  }

  /** The byte of the escape {@code %HH} at {@code at}. */
  private static int escapedByte(String text, int at, String uri) {
    if (at + 2 >= text.length()) {
      throw refused("a malformed percent-escape", uri);
    }
    int high = hexDigit(text.charAt(at + 1));
    int low = hexDigit(text.charAt(at + 2));
    if (high < 0 || low < 0) {
      throw refused("a malformed percent-escape", uri);
    }
    return high << 4 | low;
  }

  /** The value of an ASCII hex digit of either case, or -1 (no other script's digits). */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static RegistryException refused(String why, String uri) {
    return ErrorCode.UNSUPPORTED.exception( // the spec's code for "an invalid set of parameters"
        400, "request target refused, " + why + ": " + Printable.escaped(uri));
  }

  /** The query, decoded once: {@code ns} picks the upstream, the rest is forwarded as sent. */
  private record Query(Optional<String> namespace, Optional<String> forwarded) {

    static Query parse(String raw, String uri) {
      Optional<String> namespace = Optional.empty();
      List<String> forwarded = new ArrayList<>();
      for (String parameter : raw.split("&", -1)) {
        if (parameter.isEmpty()) {
          continue;
        }
        int equals = parameter.indexOf('=');
        String name = decode(equals < 0 ? parameter : parameter.substring(0, equals), uri);
        String value = equals < 0 ? "" : decode(parameter.substring(equals + 1), uri);
        if (!name.equals(NAMESPACE_PARAMETER)) {
          forwarded.add(parameter);
        } else if (namespace.isPresent()) {
          throw refused("more than one " + NAMESPACE_PARAMETER + " parameter", uri);
        } else {
          namespace = Optional.of(value);
        }
      }
      return new Query(
          namespace,
          forwarded.isEmpty() ? Optional.empty() : Optional.of(String.join("&", forwarded)));
    }

    /** One query component, percent- and {@code +}-decoded as UTF-8; no control survives. */
    private static String decode(String raw, String uri) {
      ByteBuffer bytes = ByteBuffer.allocate(raw.length());
      for (int i = 0; i < raw.length(); i++) {
        char c = raw.charAt(i);
        if (c == '%') {
          bytes.put((byte) escapedByte(raw, i, uri));
          i += 2;
        } else if (c == '+') {
          bytes.put((byte) ' ');
        } else if (queryCharacter(c)) {
          bytes.put((byte) c);
        } else {
          throw refused("a character a query may not hold", uri);
        }
      }
      bytes.flip();
      String decoded;
      try {
        decoded =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(bytes)
                .toString();
      } catch (CharacterCodingException e) {
        throw refused("a query escape that is not UTF-8", uri);
      }
      if (decoded.codePoints().anyMatch(Printable::unprintable)) {
        throw refused("an encoded control character in the query", uri);
      }
      return decoded;
    }

    /** RFC 3986 query characters, less {@code %} (escapes are read apart) and {@code &}. */
    private static final boolean[] QUERY_CHARACTERS = asciiSet("-._~:@+=!$'()*,;/?");

    private static boolean queryCharacter(char c) {
      return c < 128 && QUERY_CHARACTERS[c];
    }
  }
}
