package dev.stevedore.server.preload;

import java.time.Duration;
import java.util.Locale;

/** Human-readable sizes ({@code 12.3 MB}, decimal units) and durations ({@code 3.2 s}). */
public final class Units {
  private static final String[] BYTE_UNITS = {"kB", "MB", "GB", "TB"};

  private Units() {}

  /** {@code 999 B}, {@code 1.5 kB}, {@code 12.3 MB}, {@code 4.0 GB}. */
  public static String bytes(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    double value = bytes;
    int unit = -1;
    while (value >= 999.95 && unit < BYTE_UNITS.length - 1) {
      value /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, BYTE_UNITS[unit]);
  }

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
