package dev.stevedore.server.logging;

import dev.stevedore.storage.text.Printable;

/**
 * {@code STEVEDORE_LOG_FORMAT=json}: one JSON object a line, for log collectors:
 *
 * <pre>{"timestamp":1733332544123,"level":"INFO","threadName":"main",
 * "loggerName":"dev.stevedore.server.cli.ServeCommand","formattedMessage":"...",
 * "throwable":"java.io.IOException: ...\n\tat ..."}</pre>
 *
 * <p>{@code timestamp} is milliseconds since the epoch; {@code throwable} (only when there is one)
 * is the stack trace's text. Inside the strings every character that would not print as itself
 * (controls, DEL, C1 controls, format characters, line separators) is a <code>&#92;uHHHH</code>
 * escape, so a line never holds a raw one and the JSON means the same text.
 */
public final class JsonLogFormat implements LogFormat {
  @Override
  public String format(LogEvent event) {
    StringBuilder line = new StringBuilder(160 + event.message().length());
    line.append("{\"timestamp\":").append(event.epochMillis());
    field(line, "level", event.level().name());
    field(line, "threadName", event.threadName());
    field(line, "loggerName", event.loggerName());
    field(line, "formattedMessage", event.message());
    if (event.thrown() != null) {
      field(line, "throwable", StackTraceText.of(event.thrown()));
    }
    return line.append("}\n").toString();
  }

  private static void field(StringBuilder line, String name, String value) {
    line.append(",\"").append(name).append("\":");
    quote(line, value);
  }

  /** {@code value} as a JSON string. */
  static void quote(StringBuilder out, String value) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        default -> {
          if (unprintableAt(value, i)) {
            out.append("\\u").append(String.format("%04X", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** Whether the UTF-16 unit at {@code i} belongs to a character that must not appear raw. */
  private static boolean unprintableAt(String text, int i) {
    char c = text.charAt(i);
    if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
      char next = text.charAt(i + 1);
      if (Character.isLowSurrogate(next)) {
        return Printable.unprintable(Character.toCodePoint(c, next));
      }
    } else if (Character.isLowSurrogate(c) && i > 0) {
      char previous = text.charAt(i - 1);
      if (Character.isHighSurrogate(previous)) {
        return Printable.unprintable(Character.toCodePoint(previous, c));
      }
    }
    return Printable.unprintable(c);
  }
}
