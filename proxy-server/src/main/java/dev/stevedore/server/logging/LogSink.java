package dev.stevedore.server.logging;

/** Where the events of a logger go: stderr in a format, or a test's list. */
@FunctionalInterface
public interface LogSink {
  /** Takes one event; called on the logging thread, possibly by many threads at once. */
  void write(LogEvent event);
}
