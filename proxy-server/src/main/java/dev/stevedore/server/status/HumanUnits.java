package dev.stevedore.server.status;

import java.time.Duration;
import java.util.Locale;

/**
 * Numbers as people read them: {@code 12,345}, {@code 66.7 %} (durations are {@link
 * dev.stevedore.server.config.Durations#format}'s, sizes {@link
 * dev.stevedore.server.config.ByteSize#format}'s).
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

  /**
   * How long ago something happened, in the largest whole unit: {@code 42 s ago}, {@code 5 min
   * ago}, {@code 3 h ago}. A time in the future (another clock) reads as {@code 0 s ago}.
   */
  static String ago(Duration elapsed) {
    long seconds = Math.max(0, elapsed.toSeconds());
    if (seconds < 60) {
      return seconds + " s ago";
    }
    if (seconds < 3600) {
      return seconds / 60 + " min ago";
    }
    return count(seconds / 3600) + " h ago";
  }
}
