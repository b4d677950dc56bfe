package dev.stevedore.server.logging;

import dev.stevedore.storage.text.Printable;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default log format, one line an event:
 *
 * <pre>2026-12-04T17:15:44.123Z INFO  [main] d.s.s.cli.ServeCommand - message</pre>
 *
 * <p>The time in UTC (as a container's clock is; and a server's time zone is neither read nor
 * loaded at start, which took 10 ms), the level, the thread, the logger's name shortened to about
 * 24 characters (packages cut to their first letter, from the left) and the message with every
 * character that would not print as itself escaped; an exception's stack trace follows on lines of
 * its own ({@link StackTraceText}).
 */
public final class PlainLogFormat implements LogFormat {
  static final int LOGGER_NAME_LENGTH = 24;

  /** Made with the first line written, not at start: a quiet log never pays for it. */
  private static final class Time {
    static final DateTimeFormatter FORMAT =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  }

  private final Map<String, String> shortNames = new ConcurrentHashMap<>();

  @Override
  public String format(LogEvent event) {
    StringBuilder line = new StringBuilder(128 + event.message().length());
    Time.FORMAT.formatTo(Instant.ofEpochMilli(event.epochMillis()), line);
    String level = event.level().name();
    line.append(' ').append(level).append(" ".repeat(Math.max(0, 5 - level.length())));
    line.append(" [").append(Printable.escaped(event.threadName())).append("] ");
    line.append(shortNames.computeIfAbsent(event.loggerName(), PlainLogFormat::shortName));
    line.append(" - ").append(Printable.escaped(event.message())).append('\n');
    if (event.thrown() != null) {
      line.append(StackTraceText.of(event.thrown()));
    }
    return line.toString();
  }

  /**
   * {@code name} with its dotted segments but the last cut to their first letter, from the left,
   * until it is at most {@value #LOGGER_NAME_LENGTH} characters or nothing more can be cut.
   */
  static String shortName(String name) {
    if (name.length() <= LOGGER_NAME_LENGTH) {
      return name;
    }
    String[] segments = name.split("\\.", -1);
    int length = name.length();
    for (int i = 0; i < segments.length - 1 && length > LOGGER_NAME_LENGTH; i++) {
      if (segments[i].length() > 1) {
        length -= segments[i].length() - 1;
        segments[i] = segments[i].substring(0, 1);
      }
    }
    return String.join(".", segments);
  }
}
