package dev.stevedore.server.logging;

import java.util.Locale;

/**
 * How an event becomes text: one line ending in a line break ({@link PlainLogFormat} adds the stack
 * trace's lines), with no raw control character that a client or an upstream put in a message.
 */
public interface LogFormat {
  /** The text of {@code event}, ending in {@code \n}. */
  String format(LogEvent event);

  /** {@link JsonLogFormat} for {@code json} in any case, else {@link PlainLogFormat}. */
  static LogFormat named(String name) {
    return name != null && name.trim().toLowerCase(Locale.ROOT).equals("json")
        ? new JsonLogFormat()
        : new PlainLogFormat();
  }
}
