package dev.stevedore.server.cli;

import java.util.Locale;

/** A duration for a summary line: {@code 0.4 s}, {@code 12.0 s}, {@code 3 min 5 s}. */
final class Elapsed {
  private Elapsed() {}

  static String since(long startNanos) {
    return format((System.nanoTime() - startNanos) / 1_000_000);
  }

  static String format(long millis) {
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
    return (millis / 60_000) + " min " + (millis % 60_000) / 1000 + " s";
  }
}
