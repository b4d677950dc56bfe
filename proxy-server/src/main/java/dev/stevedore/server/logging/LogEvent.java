package dev.stevedore.server.logging;

import org.slf4j.event.Level;

/**
 * One thing logged: when ({@code epochMillis}), how severe, on which thread, by which logger, the
 * message with its arguments in place, and the exception it carried or null.
 */
public record LogEvent(
    long epochMillis,
    Level level,
    String threadName,
    String loggerName,
    String message,
    Throwable thrown) {}
