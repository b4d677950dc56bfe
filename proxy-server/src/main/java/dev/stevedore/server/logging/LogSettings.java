package dev.stevedore.server.logging;

/**
 * What the user chose for the log: {@code STEVEDORE_LOG_FORMAT} ({@code json}, else plain text) and
 * {@code STEVEDORE_LOG_LEVEL} (the root level, INFO when unset or not a level). Each is read as a
 * system property first, then as an environment variable; the tests set the property.
 */
public record LogSettings(LogFormat format, LogLevel rootLevel) {
  static final String FORMAT_VARIABLE = "STEVEDORE_LOG_FORMAT";
  static final String LEVEL_VARIABLE = "STEVEDORE_LOG_LEVEL";

  /** The settings of this process. */
  public static LogSettings fromEnvironment() {
    return of(setting(FORMAT_VARIABLE), setting(LEVEL_VARIABLE));
  }

  /** The settings for a format name and a level name, either of them null or anything. */
  public static LogSettings of(String format, String level) {
    return new LogSettings(LogFormat.named(format), LogLevel.parse(level, LogLevel.INFO));
  }

  private static String setting(String name) {
    String property = System.getProperty(name);
    return property != null ? property : System.getenv(name);
  }
}
