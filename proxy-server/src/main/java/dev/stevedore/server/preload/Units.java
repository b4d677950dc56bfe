package dev.stevedore.server.preload;

import java.time.Duration;
import java.util.Locale;

/**
 * Human-readable durations of a preload ({@code 3.2 s}); sizes are {@link
 * dev.stevedore.server.config.ByteSize#format}'s.
 */
public final class Units {
  private Units() {}

  /** {@code 0.4 s}, {@code 12.3 s}, {@code 2 min 5 s}, {@code 1 h 2 min}. */
  public static String duration(Duration duration) {
    long millis = Math.max(0, duration.toMillis());
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
    long seconds = millis / 1000;
    if (seconds < 3600) {
      return seconds / 60 + " min " + seconds % 60 + " s";
    }
    return seconds / 3600 + " h " + (seconds % 3600) / 60 + " min";
  }
}
