package dev.stevedore.server.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations as people write them: {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 2d}, {@code
 * PT5M}.
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
