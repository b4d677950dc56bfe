package dev.stevedore.server.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them ({@link #parse}: {@code 30s}, {@code 5m}, {@code 1h30m}, {@code
 * 2d}, {@code PT5M}) and as people read them ({@link #format}: {@code 0.4 s}, {@code 3 min 5 s}).
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");

  private Durations() {}

  public static Duration parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    if (trimmed.toUpperCase(java.util.Locale.ROOT).startsWith("P")) {
      try {
        return nonNegative(Duration.parse(trimmed), text);
      } catch (DateTimeParseException e) {
        throw invalid(text);
      }
    }
    if (!WHOLE.matcher(trimmed).matches()) {
      throw invalid(text);
    }
    try {
      return sum(trimmed);
    } catch (NumberFormatException | ArithmeticException tooLarge) {
      throw invalid(text);
    }
  }

  /**
   * The one way a duration is shown to people: under a minute in seconds with one decimal, dropped
   * when it is {@code .0} ({@code 0.4 s}, {@code 45 s}); then two units ({@code 3 min 5 s}, {@code
   * 2 h 5 min}, {@code 3 d 4 h}), the second left out when zero ({@code 6 h}). Negative is {@code 0
   * s}.
   */
  public static String format(Duration duration) {
    long millis = duration.isNegative() ? 0 : duration.toMillis();
    if (millis < 60_000) {
      long tenths = Math.round(millis / 100.0);
      return tenths % 10 == 0 ? tenths / 10 + " s" : tenths / 10 + "." + tenths % 10 + " s";
    }
    long seconds = millis / 1000;
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

  private static Duration sum(String trimmed) {
    Duration total = Duration.ZERO;
    Matcher part = PART.matcher(trimmed);
    while (part.find()) {
      long amount = Long.parseLong(part.group(1));
      total =
          total.plus(
              switch (part.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
              });
    }
    return total;
  }

  private static Duration nonNegative(Duration duration, String text) {
    if (duration.isNegative()) {
      throw invalid(text);
    }
    return duration;
  }

  private static ConfigException invalid(String text) {
    return new ConfigException(
        "invalid duration '" + text + "' (use forms like 30s, 5m, 1h30m, 2d or PT5M)");
  }
}
