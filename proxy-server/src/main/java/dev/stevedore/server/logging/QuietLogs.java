package dev.stevedore.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Keeps the cache's per-blob log lines out of a command's own output ({@code preload}'s progress
 * bars, the reports of {@code export}, {@code import} and {@code gc}), unless the user chose a
 * level with {@code STEVEDORE_LOG_LEVEL}: Stevedore then logs only warnings. Closing restores the
 * levels.
 */
public final class QuietLogs implements AutoCloseable {
  static final String LOG_LEVEL_VARIABLE = "STEVEDORE_LOG_LEVEL";

  /**
   * The blob writer's digest-mismatch warning: a command that reports a damaged entry in its own
   * error line passes this to {@link #unlessConfigured} so the warning is not shown twice.
   */
  public static final String BLOB_WRITER = "dev.stevedore.storage.FileSystemBlobWriter";

  private final List<Logger> loggers = new ArrayList<>();
  private final List<Level> previous = new ArrayList<>();

  private QuietLogs() {}

  /**
   * Until closed, Stevedore logs only warnings and the {@code silenced} loggers only errors, unless
   * {@code env} sets a level.
   */
  public static QuietLogs unlessConfigured(Map<String, String> env, String... silenced) {
    QuietLogs quiet = new QuietLogs();
    if (!env.containsKey(LOG_LEVEL_VARIABLE)) {
      quiet.set("dev.stevedore", Level.WARN);
      for (String name : silenced) {
        quiet.set(name, Level.ERROR);
      }
    }
    return quiet;
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
