package dev.stevedore.core.upstream;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses {@code WWW-Authenticate} header values as RFC 7235 defines them: one or more challenges
 * separated by commas, each a scheme followed by {@code name=value} parameters (token or
 * quoted-string with backslash escapes) or a token68. Lenient: it never throws, and returns the
 * challenges it could make sense of. A token68 is accepted but not kept.
 */
public final class WwwAuthenticate {

  private final String text;
  private int pos;

  private WwwAuthenticate(String text) {
    this.text = text;
  }

  /** The challenges in one header value; empty for null, blank or unparseable input. */
  public static List<Challenge> parse(String headerValue) {
    if (headerValue == null) {
      return List.of();
    }
    try {
      return parseUnguarded(headerValue);
    } catch (RuntimeException e) {
      return List.of(); // defensive: a parser bug must not break the upstream client
    }
  }

  /** {@link #parse} without the safety net, so tests see parser bugs. */
  static List<Challenge> parseUnguarded(String headerValue) {
    return new WwwAuthenticate(headerValue).challenges();
  }

  /** The challenges in all values of a header that appears several times. */
  public static List<Challenge> parseAll(List<String> headerValues) {
    List<Challenge> all = new ArrayList<>();
    for (String value : headerValues) {
      all.addAll(parse(value));
    }
    return List.copyOf(all);
  }

  private List<Challenge> challenges() {
    List<Challenge> result = new ArrayList<>();
    while (true) {
      skipWhitespaceAndCommas();
      if (atEnd()) {
        return List.copyOf(result);
      }
      String scheme = token();
      if (scheme.isEmpty()) {
        skipElement();
        continue;
      }
      result.add(new Challenge(scheme, params()));
    }
  }

  /** Parameters after a scheme, up to the next challenge or the end. */
  private Map<String, String> params() {
    Map<String, String> params = new LinkedHashMap<>();
    skipWhitespace();
    if (token68()) {
      return params;
    }
    while (!atEnd()) {
      int start = pos;
      skipWhitespace();
      String name = token();
      skipWhitespace();
      if (!name.isEmpty() && !peek('=')) {
        pos = start; // a bare token after a comma: the next challenge's scheme
        return params;
      }
      if (name.isEmpty()) {
        if (peek(',')) {
          pos++; // an empty list element
        } else {
          skipElement(); // garbage up to the next comma
        }
        continue;
      }
      pos++; // '='
      skipWhitespace();
      String value = peek('"') ? quotedString() : token();
      params.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
      skipWhitespace();
      if (peek(',')) {
        pos++;
      } else if (!atEnd()) {
        skipElement();
      }
    }
    return params;
  }

  /**
   * Consumes a token68 ({@code abc==}, {@code abc}) if it is all that follows the scheme before the
   * next comma; otherwise leaves the position unchanged.
   */
  private boolean token68() {
    int start = pos;
    while (!atEnd() && isToken68Char(text.charAt(pos))) {
      pos++;
    }
    if (pos == start) {
      return false;
    }
    while (peek('=')) {
      pos++;
    }
    skipWhitespace();
    if (atEnd() || peek(',')) {
      return true;
    }
    pos = start;
    return false;
  }

  private String token() {
    int start = pos;
    while (!atEnd() && isTokenChar(text.charAt(pos))) {
      pos++;
    }
    return text.substring(start, pos);
  }

  private String quotedString() {
    StringBuilder value = new StringBuilder();
    pos++; // opening quote
    while (!atEnd()) {
      char c = text.charAt(pos++);
      if (c == '"') {
        return value.toString();
      }
      if (c == '\\' && !atEnd()) {
        c = text.charAt(pos++);
      }
      value.append(c);
    }
    return value.toString(); // unterminated: keep what we have
  }

  /** Skips to just after the next comma outside quotes (or to the end). */
  private void skipElement() {
    boolean quoted = false;
    while (!atEnd()) {
      char c = text.charAt(pos++);
      if (quoted && c == '\\' && !atEnd()) {
        pos++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        return;
      }
    }
  }

  private void skipWhitespace() {
    while (!atEnd() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
      pos++;
    }
  }

  private void skipWhitespaceAndCommas() {
    while (!atEnd() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t' || peek(','))) {
      pos++;
    }
  }

  private boolean peek(char c) {
    return !atEnd() && text.charAt(pos) == c;
  }

  private boolean atEnd() {
    return pos >= text.length();
  }

  private static boolean isTokenChar(char c) {
    if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
      return true;
    }
    return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  private static boolean isToken68Char(char c) {
    if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
      return true;
    }
    return "-._~+/".indexOf(c) >= 0;
  }
}
