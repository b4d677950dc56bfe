package dev.stevedore.server.status;

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
}
