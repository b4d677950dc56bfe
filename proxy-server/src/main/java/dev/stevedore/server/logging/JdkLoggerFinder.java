package dev.stevedore.server.logging;

import java.text.MessageFormat;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * Sends what the JDK and libraries log through {@link System.Logger} (Caffeine, the JDK's HTTP
 * client) to {@link Loggers}, the same lines as everything else, instead of starting
 * java.util.logging for them. The JDK finds it with the {@link java.util.ServiceLoader}.
 */
public final class JdkLoggerFinder extends System.LoggerFinder {
  @Override
  public System.Logger getLogger(String name, Module module) {
    return new JdkLogger(Loggers.global().logger(name));
  }

  /** A {@link System.Logger} writing to a {@link StevedoreLogger}. */
  record JdkLogger(StevedoreLogger logger) implements System.Logger {
    @Override
    public String getName() {
      return logger.getName();
    }

    @Override
    public boolean isLoggable(System.Logger.Level level) {
      org.slf4j.event.Level mapped = map(level);
      return mapped != null && logger.admits(mapped);
    }

    @Override
    public void log(
        System.Logger.Level level, ResourceBundle bundle, String message, Throwable thrown) {
      if (isLoggable(level)) {
        logger.emit(map(level), localized(bundle, message), thrown);
      }
    }

    @Override
    public void log(
        System.Logger.Level level, ResourceBundle bundle, String format, Object... parameters) {
      if (isLoggable(level)) {
        String pattern = localized(bundle, format);
        String message =
            parameters == null || parameters.length == 0
                ? pattern
                : MessageFormat.format(pattern, parameters);
        logger.emit(map(level), message, null);
      }
    }

    /** The SLF4J level of a JDK level (a record member, where {@code Level} is the JDK's). */
    private static org.slf4j.event.Level map(System.Logger.Level level) {
      return switch (level) {
        case ALL, TRACE -> org.slf4j.event.Level.TRACE;
        case DEBUG -> org.slf4j.event.Level.DEBUG;
        case INFO -> org.slf4j.event.Level.INFO;
        case WARNING -> org.slf4j.event.Level.WARN;
        case ERROR -> org.slf4j.event.Level.ERROR;
        case OFF -> null;
      };
    }

    private static String localized(ResourceBundle bundle, String key) {
      if (bundle == null || key == null) {
        return key;
      }
      try {
        return bundle.getString(key);
      } catch (MissingResourceException e) {
        return key;
      }
    }
  }
}
