package dev.stevedore.server.status;

import java.time.Duration;
import java.util.Locale;

/**
 * Numbers as people read them: {@code 1.5 MiB}, {@code 12,345}, {@code 66.7 %}, {@code 2 h 5 min}.
 */
final class HumanUnits {
  private static final String[] BINARY_UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  private HumanUnits() {}

  /** {@code 0 B}, {@code 1023 B}, {@code 1.0 KiB}, {@code 12.3 MiB}, {@code 4.0 GiB}. */
  static String bytes(long bytes) {
    if (bytes < 1024) {
      return Math.max(0, bytes) + " B";
    }
    double value = bytes;
    int unit = -1;
    while (value >= 1023.95 && unit < BINARY_UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, BINARY_UNITS[unit]);
  }

  /** {@code 12,345}. */
  static String count(long count) {
    return String.format(Locale.ROOT, "%,d", count);
  }

  /** {@code 0.667} as {@code 66.7 %}. */
  static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.1f %%", fraction * 100);
  }

  /** {@code 45 s}, {@code 3 min 5 s}, {@code 6 h}, {@code 2 h 5 min}, {@code 3 d 4 h}. */
  static String duration(Duration duration) {
    long seconds = Math.max(0, duration.getSeconds());
    if (seconds < 60) {
      return seconds + " s";
    }
    if (seconds < 3600) {
      return twoUnits(seconds / 60, "min", seconds % 60, "s");
    }
    if (seconds < 86_400) {
      return twoUnits(seconds / 3600, "h", seconds % 3600 / 60, "min");
    }
    return twoUnits(seconds / 86_400, "d", seconds % 86_400 / 3600, "h");
  }

  private static String twoUnits(long major, String majorUnit, long minor, String minorUnit) {
    String text = major + " " + majorUnit;
    return minor == 0 ? text : text + " " + minor + " " + minorUnit;
  }
}
