package dev.stevedore.server.status;

import java.time.Duration;
import java.util.Locale;

/**
 * Numbers as people read them: {@code 12,345}, {@code 66.7 %}, {@code 2 h 5 min}. Sizes are {@link
 * dev.stevedore.server.config.ByteSize#format}'s.
 */
final class HumanUnits {
  private HumanUnits() {}

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
