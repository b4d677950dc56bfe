package dev.stevedore.server.bundle;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Keeps the cache's log lines out of {@code export}'s and {@code import}'s own report, unless the
 * user chose a level with {@code STEVEDORE_LOG_LEVEL}: Stevedore logs only warnings, and the blob
 * writer's digest-mismatch warning is left out entirely (the command reports the damaged entry in
 * its one error line). Closing restores the levels.
 */
public final class CommandLogLevels implements AutoCloseable {
  private static final String LOG_LEVEL_VARIABLE = "STEVEDORE_LOG_LEVEL";

  private final List<Logger> loggers = new ArrayList<>();
  private final List<Level> previous = new ArrayList<>();

  private CommandLogLevels() {}

  /** Lowers the noise until closed, unless {@code env} sets a level. */
  public static CommandLogLevels quiet(Map<String, String> env) {
    CommandLogLevels levels = new CommandLogLevels();
    if (!env.containsKey(LOG_LEVEL_VARIABLE)) {
      levels.set("dev.stevedore", Level.WARN);
      levels.set("dev.stevedore.storage.FileSystemBlobWriter", Level.ERROR);
    }
    return levels;
  }

  private void set(String name, Level level) {
    if (LoggerFactory.getLogger(name) instanceof Logger logger) {
      loggers.add(logger);
      previous.add(logger.getLevel());
      logger.setLevel(level);
    }
  }

  @Override
  public void close() {
    for (int i = loggers.size() - 1; i >= 0; i--) {
      loggers.get(i).setLevel(previous.get(i));
    }
  }
}
