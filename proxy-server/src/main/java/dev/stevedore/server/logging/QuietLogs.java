package dev.stevedore.server.logging;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keeps the cache's per-blob log lines out of a command's own output ({@code preload}'s progress
 * bars, the reports of {@code export}, {@code import} and {@code gc}), unless the user chose a
 * level with {@code STEVEDORE_LOG_LEVEL}: Stevedore then logs only warnings. Closing restores the
 * levels.
 */
public final class QuietLogs implements AutoCloseable {
  static final String LOG_LEVEL_VARIABLE = LogSettings.LEVEL_VARIABLE;

  /**
   * The blob writer's digest-mismatch warning: a command that reports a damaged entry in its own
   * error line passes this to {@link #unlessConfigured} so the warning is not shown twice.
   */
  public static final String BLOB_WRITER = "dev.stevedore.storage.FileSystemBlobWriter";

  /** A logger's own level before it was changed (null: it inherited one). */
  private record Previous(String name, LogLevel level) {}

  private final Loggers loggers;
  private final List<Previous> previous = new ArrayList<>();

  private QuietLogs(Loggers loggers) {
    this.loggers = loggers;
  }

  /**
   * Until closed, Stevedore logs only warnings and the {@code silenced} loggers only errors, unless
   * {@code env} sets a level.
   */
  public static QuietLogs unlessConfigured(Map<String, String> env, String... silenced) {
    return unlessConfigured(Loggers.global(), env, silenced);
  }

  static QuietLogs unlessConfigured(Loggers loggers, Map<String, String> env, String... silenced) {
    QuietLogs quiet = new QuietLogs(loggers);
    if (!env.containsKey(LOG_LEVEL_VARIABLE)) {
      quiet.set("dev.stevedore", LogLevel.WARN);
      for (String name : silenced) {
        quiet.set(name, LogLevel.ERROR);
      }
    }
    return quiet;
  }

  private void set(String name, LogLevel level) {
    previous.add(new Previous(name, loggers.levelOf(name)));
    loggers.setLevel(name, level);
  }

  @Override
  public void close() {
    for (int i = previous.size() - 1; i >= 0; i--) {
      loggers.setLevel(previous.get(i).name(), previous.get(i).level());
    }
  }
}
