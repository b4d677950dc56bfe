package dev.stevedore.server.preload;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Keeps the cache's per-blob INFO log lines out of a preload's own output (they would tear the
 * progress bars apart), unless the user chose a level with {@code STEVEDORE_LOG_LEVEL}. Warnings
 * still show. Closing restores the level.
 */
public final class QuietLogs implements AutoCloseable {
  static final String LOG_LEVEL_VARIABLE = "STEVEDORE_LOG_LEVEL";
  private static final String LOGGER = "dev.stevedore";

  private final Logger logger;
  private final Level previous;

  private QuietLogs(Logger logger, Level previous) {
    this.logger = logger;
    this.previous = previous;
  }

  /** Raises Stevedore's log level to WARN until closed, unless {@code env} sets a level. */
  public static QuietLogs unlessConfigured(Map<String, String> env) {
    if (env.containsKey(LOG_LEVEL_VARIABLE)
        || !(LoggerFactory.getLogger(LOGGER) instanceof Logger logback)) {
      return new QuietLogs(null, null);
    }
    Level previous = logback.getLevel();
    logback.setLevel(Level.WARN);
    return new QuietLogs(logback, previous);
  }

  @Override
  public void close() {
    if (logger != null) {
      logger.setLevel(previous);
    }
  }
}
