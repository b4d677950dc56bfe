package dev.stevedore.storage.text;

import java.util.Locale;

/**
 * The one place that makes text from clients, upstreams and files safe to show to people and to put
 * in logs, so nobody can forge, split or hide a line through a request line, a header, an
 * upstream's error text or a file name. It lives in the lowest module because storage quotes names
 * too.
 *
 * <ul>
 *   <li>{@link #masked} for messages (errors, CLI output): ASCII control characters become {@code
 *       ?}, long text is cut with {@code …}.
 *   <li>{@link #oneLine} for a multi-line foreign message folded into one of ours.
 *   <li>{@link #escaped} and {@link #quoted} for log lines: every character that would not print as
 *       itself becomes {@code \xHH} or <code>&#92;uHHHH</code>, so the original stays readable.
 * </ul>
 */
public final class Printable {
  private static final String CUT = "…";

  private Printable() {}

  /** {@code text} with every ASCII control character (C0 and DEL) replaced by {@code ?}. */
  public static String masked(String text) {
    return masked(text, Integer.MAX_VALUE);
  }

  /** Like {@link #masked(String)}, cut after {@code maxChars} characters with {@code …}. */
  public static String masked(String text, int maxChars) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), maxChars) + 1);
    int end = cutAt(text, maxChars);
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      out.append(isAsciiControl(c) ? '?' : c);
    }
    return end < text.length() ? out.append(CUT).toString() : out.toString();
  }

  /**
   * {@code text} as one line: each run of line breaks and tabs becomes one space, other ASCII
   * control characters {@code ?}; stripped, then cut after {@code maxChars} characters with {@code
   * …}.
   */
  public static String oneLine(String text, int maxChars) {
    String flat = masked(text.replaceAll("[\\r\\n\\t]+", " ")).strip();
    return masked(flat, maxChars);
  }

  /** {@code text} with every character that would not print as itself escaped; null stays null. */
  public static String escaped(String text) {
    return escape(text, false);
  }

  /**
   * Like {@link #escaped(String)}, and also escapes {@code "} and {@code \} as nginx does: for a
   * field quoted in the access log, such as the request line, so it cannot end its quotes early.
   */
  public static String quoted(String text) {
    return escape(text, true);
  }

  /**
   * Whether {@code codePoint} is shown escaped in a log line: control and Unicode format characters
   * (bidirectional overrides), line and paragraph separators, lone surrogates.
   */
  public static boolean unprintable(int codePoint) {
    switch (Character.getType(codePoint)) {
      case Character.CONTROL,
      Character.FORMAT,
      Character.LINE_SEPARATOR,
      Character.PARAGRAPH_SEPARATOR,
      Character.SURROGATE:
        return true;
      default:
        return false;
    }
  }

  private static boolean isAsciiControl(char c) {
    return c < 0x20 || c == 0x7f;
  }

  /** Where a cut after {@code maxChars} ends, never between the two halves of a surrogate pair. */
  private static int cutAt(String text, int maxChars) {
    if (text.length() <= maxChars) {
      return text.length();
    }
    return Character.isHighSurrogate(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
  }

  private static String escape(String text, boolean quoted) {
    if (text == null) {
      return null;
    }
    int first = firstToEscape(text, quoted);
    if (first < 0) {
      return text;
    }
    StringBuilder escaped = new StringBuilder(text.length() + 16).append(text, 0, first);
    for (int i = first; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      if (needsEscape(codePoint, quoted)) {
        appendEscape(escaped, codePoint);
      } else {
        escaped.appendCodePoint(codePoint);
      }
      i += Character.charCount(codePoint);
    }
    return escaped.toString();
  }

  private static int firstToEscape(String text, boolean quoted) {
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      if (needsEscape(codePoint, quoted)) {
        return i;
      }
      i += Character.charCount(codePoint);
    }
    return -1;
  }

  private static boolean needsEscape(int codePoint, boolean quoted) {
    return unprintable(codePoint) || quoted && (codePoint == '"' || codePoint == '\\');
  }

  private static void appendEscape(StringBuilder out, int codePoint) {
    String hex = Integer.toHexString(codePoint).toUpperCase(Locale.ROOT);
    if (codePoint <= 0xFF) {
      out.append("\\x").append(hex.length() == 1 ? "0" : "").append(hex);
    } else {
      out.append("\\u").append("0".repeat(Math.max(0, 4 - hex.length()))).append(hex);
    }
  }
}
