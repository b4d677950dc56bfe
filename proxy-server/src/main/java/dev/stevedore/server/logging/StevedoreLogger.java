package dev.stevedore.server.logging;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * An SLF4J logger of {@link Loggers}: checks its threshold and hands an event to its sink. Both
 * come from the logger registry, which replaces them when a level or a sink changes.
 */
final class StevedoreLogger extends LegacyAbstractLogger {
  private static final long serialVersionUID = 1L;

  /** A threshold and where events that pass it go, replaced together. */
  record Route(LogLevel level, LogSink sink) {}

  private transient volatile Route route;

  StevedoreLogger(String name, Route route) {
    this.name = name;
    this.route = route;
  }

  void route(Route route) {
    this.route = route;
  }

  /** Whether an event of {@code level} would be written. */
  boolean admits(Level level) {
    return route.level().admits(level);
  }

  /** Writes {@code message} at {@code level}, if the threshold admits it. */
  void emit(Level level, String message, Throwable thrown) {
    Route current = route;
    if (current.level().admits(level)) {
      current
          .sink()
          .write(
              new LogEvent(
                  System.currentTimeMillis(),
                  level,
                  Thread.currentThread().getName(),
                  name,
                  message == null ? "null" : message,
                  thrown));
    }
  }

  @Override
  public boolean isTraceEnabled() {
    return admits(Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return admits(Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return admits(Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return admits(Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return admits(Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] arguments, Throwable thrown) {
    String message =
        arguments == null || arguments.length == 0
            ? pattern
            : MessageFormatter.basicArrayFormat(pattern, arguments);
    emit(level, message, thrown);
  }
}
