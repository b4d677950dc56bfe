package dev.stevedore.server.logging;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.stevedore.storage.text.Printable;
import java.nio.charset.StandardCharsets;

/**
 * logback's {@link JsonEncoder} ({@code STEVEDORE_LOG_FORMAT=json}), with no raw unprintable
 * character in the line: logback escapes only C0 controls inside strings; DEL, C1 controls, format
 * characters and line separators are escaped here as <code>&#92;uHHHH</code>. They can only occur
 * inside JSON strings, where that escape means the same character, so the JSON is unchanged.
 */
public final class PrintableJsonEncoder extends JsonEncoder {
  @Override
  public byte[] encode(ILoggingEvent event) {
    byte[] encoded = super.encode(event);
    String line = new String(encoded, StandardCharsets.UTF_8);
    int end = line.endsWith("\n") ? line.length() - 1 : line.length();
    StringBuilder printable = null;
    for (int i = 0; i < end; i++) {
      char c = line.charAt(i);
      boolean escape = escapeInJson(line, i);
      if (escape && printable == null) {
        printable = new StringBuilder(line.length() + 16).append(line, 0, i);
      }
      if (printable != null) {
        if (escape) {
          printable.append(String.format("\\u%04X", (int) c));
        } else {
          printable.append(c);
        }
      }
    }
    if (printable == null) {
      return encoded;
    }
    return printable.append(line, end, line.length()).toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Whether the UTF-16 unit at {@code i} belongs to a character that must not appear raw. */
  private static boolean escapeInJson(String line, int i) {
    char c = line.charAt(i);
    if (Character.isHighSurrogate(c) && i + 1 < line.length()) {
      char next = line.charAt(i + 1);
      if (Character.isLowSurrogate(next)) {
        return Printable.unprintable(Character.toCodePoint(c, next));
      }
    } else if (Character.isLowSurrogate(c) && i > 0) {
      char previous = line.charAt(i - 1);
      if (Character.isHighSurrogate(previous)) {
        return Printable.unprintable(Character.toCodePoint(previous, c));
      }
    }
    return Printable.unprintable(c);
  }
}
