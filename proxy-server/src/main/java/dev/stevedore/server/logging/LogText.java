package dev.stevedore.server.logging;

/**
 * Makes text from clients and upstreams safe to put in a log line: control characters (a raw NUL,
 * CR or LF), Unicode format characters (bidirectional overrides), line and paragraph separators and
 * lone surrogates are escaped as {@code \xHH} or <code>&#92;uHHHH</code>, so nobody can forge,
 * split or hide a log line through a request line, a header or an upstream's error text.
 */
public final class LogText {
  private LogText() {}

  /** {@code text} with every character that would not print as itself escaped. */
  public static String printable(String text) {
    return escape(text, false);
  }

  /**
   * Like {@link #printable(String)}, and also escapes {@code "} and {@code \} as nginx does: for a
   * field quoted in the access log, such as the request line, so it cannot end its quotes early.
   */
  public static String quoted(String text) {
    return escape(text, true);
  }

  /** Whether {@code codePoint} is shown escaped in a log line. */
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
    String hex = Integer.toHexString(codePoint).toUpperCase(java.util.Locale.ROOT);
    if (codePoint <= 0xFF) {
      out.append("\\x").append(hex.length() == 1 ? "0" : "").append(hex);
    } else {
      out.append("\\u").append("0".repeat(Math.max(0, 4 - hex.length()))).append(hex);
    }
  }
}
