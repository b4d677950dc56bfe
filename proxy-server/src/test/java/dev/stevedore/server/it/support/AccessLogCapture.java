package dev.stevedore.server.it.support;

import dev.stevedore.server.logging.LogEvent;
import dev.stevedore.server.logging.LogLevel;
import dev.stevedore.server.logging.Loggers;
import java.util.ArrayList;
import java.util.List;

/**
 * The access log ({@code stevedore.access}) of an in-process Stevedore, captured line by line from
 * when it is opened until it is closed; the tests' log level keeps it off otherwise.
 */
public final class AccessLogCapture implements AutoCloseable {
  private static final String ACCESS = "stevedore.access";

  private final Loggers loggers = Loggers.global();
  private final List<String> lines = new ArrayList<>();
  private final LogLevel level = loggers.levelOf(ACCESS);

  public AccessLogCapture() {
    loggers.redirect(ACCESS, this::add);
    loggers.setLevel(ACCESS, LogLevel.INFO);
  }

  private synchronized void add(LogEvent event) {
    lines.add(event.message());
  }

  /** The formatted lines so far, in order. */
  public synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    loggers.redirect(ACCESS, null);
    loggers.setLevel(ACCESS, level);
  }
}
