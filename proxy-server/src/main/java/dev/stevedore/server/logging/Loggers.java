package dev.stevedore.server.logging;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;

/**
 * Stevedore's loggers and their settings: a level and a sink per logger name, inherited by the
 * names below it ({@code io.netty} for {@code io.netty.channel.X}); the root's are the settings'
 * level and stderr in the settings' format. Netty and the JDK's HTTP client log warnings only.
 *
 * <p>Changes are rare (a command quietening the log, a test capturing the access log) and take a
 * lock; logging reads one volatile field of the logger.
 */
public final class Loggers implements ILoggerFactory {
  static final String ROOT = Logger.ROOT_LOGGER_NAME;

  private final Map<String, StevedoreLogger> loggers = new ConcurrentHashMap<>();
  private final Map<String, LogLevel> levels = new HashMap<>();
  private final Map<String, LogSink> sinks = new HashMap<>();

  /** Loggers with {@code settings}: the root's level, stderr in the format. */
  public Loggers(LogSettings settings) {
    levels.put(ROOT, settings.rootLevel());
    sinks.put(ROOT, new StderrSink(settings.format()));
    levels.put("io.netty", LogLevel.WARN);
    levels.put("jdk.internal.httpclient", LogLevel.WARN);
  }

  /** The loggers of this process, set up from {@link LogSettings#fromEnvironment()}. */
  public static Loggers global() {
    return Global.LOGGERS;
  }

  private static final class Global {
    static final Loggers LOGGERS = new Loggers(LogSettings.fromEnvironment());
  }

  @Override
  public Logger getLogger(String name) {
    return logger(name);
  }

  StevedoreLogger logger(String name) {
    StevedoreLogger logger = loggers.get(name);
    if (logger != null) {
      return logger;
    }
    synchronized (this) {
      return loggers.computeIfAbsent(name, missing -> new StevedoreLogger(missing, route(missing)));
    }
  }

  /** The level set for {@code name} itself, or null when it inherits one. */
  public synchronized LogLevel levelOf(String name) {
    return levels.get(name);
  }

  /** The level {@code name}'s logger writes at: its own, else the nearest above it. */
  public synchronized LogLevel effectiveLevel(String name) {
    return nearest(levels, name);
  }

  /** Sets {@code name}'s level; null makes it inherit (not for the root). */
  public synchronized void setLevel(String name, LogLevel level) {
    put(levels, name, level);
  }

  /**
   * Sends the events of {@code name} and the loggers below it to {@code sink} instead of the root's
   * (null to send them back).
   */
  public synchronized void redirect(String name, LogSink sink) {
    put(sinks, name, sink);
  }

  private <T> void put(Map<String, T> settings, String name, T value) {
    if (value != null) {
      settings.put(name, value);
    } else if (!name.equals(ROOT)) {
      settings.remove(name);
    }
    loggers.values().forEach(logger -> logger.route(route(logger.getName())));
  }

  private StevedoreLogger.Route route(String name) {
    return new StevedoreLogger.Route(nearest(levels, name), nearest(sinks, name));
  }

  private static <T> T nearest(Map<String, T> settings, String name) {
    for (String candidate = name; ; candidate = parent(candidate)) {
      T value = settings.get(candidate);
      if (value != null) {
        return value;
      }
      if (candidate.equals(ROOT)) {
        throw new IllegalStateException("the root logger has no setting");
      }
    }
  }

  private static String parent(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? ROOT : name.substring(0, dot);
  }
}
