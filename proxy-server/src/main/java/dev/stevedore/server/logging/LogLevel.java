package dev.stevedore.server.logging;

import java.util.Locale;
import org.slf4j.event.Level;

/** A logger's threshold: the least severe level it writes, or {@link #OFF}. */
public enum LogLevel {
  TRACE,
  DEBUG,
  INFO,
  WARN,
  ERROR,
  OFF;

  /** Whether a logger at this threshold writes an event of {@code level}. */
  public boolean admits(Level level) {
    return this != OFF && severity(level) >= ordinal();
  }

  private static int severity(Level level) {
    return switch (level) {
      case TRACE -> 0;
      case DEBUG -> 1;
      case INFO -> 2;
      case WARN -> 3;
      case ERROR -> 4;
    };
  }

  /**
   * The level {@code text} names, in any case ({@code ALL} is {@link #TRACE}, {@code WARNING}
   * {@link #WARN}), else {@code fallback}.
   */
  public static LogLevel parse(String text, LogLevel fallback) {
    if (text == null) {
      return fallback;
    }
    return switch (text.trim().toUpperCase(Locale.ROOT)) {
      case "ALL", "TRACE" -> TRACE;
      case "DEBUG" -> DEBUG;
      case "INFO" -> INFO;
      case "WARN", "WARNING" -> WARN;
      case "ERROR" -> ERROR;
      case "OFF" -> OFF;
      default -> fallback;
    };
  }
}
