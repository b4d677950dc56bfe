package dev.stevedore.server.bundle;

import java.util.Locale;

/** Human-readable byte counts for reports: {@code 512 B}, {@code 1.5 KiB}, {@code 2.3 GiB}. */
public final class ByteCounts {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

  private ByteCounts() {}

  public static String format(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
  }
}
