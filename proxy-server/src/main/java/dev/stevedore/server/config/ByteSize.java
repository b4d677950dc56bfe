package dev.stevedore.server.config;

import dev.stevedore.storage.text.Printable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses sizes as people write them: {@code 50GiB}, {@code 10MB}, {@code 512MiB}, {@code 1.5GB},
 * {@code 2T}, or a plain number of bytes. Decimal units ({@code kB}, {@code MB}, {@code GB}, {@code
 * TB}, {@code PB}, or just {@code k}, {@code M} …) are powers of 1000; binary units ({@code KiB},
 * {@code MiB}, {@code GiB}, {@code TiB}, {@code PiB}, or {@code Ki}, {@code Mi} …) powers of 1024.
 * Units ignore case and may follow a space; fractions are rounded down to whole bytes. A size must
 * be at least one byte.
 */
public final class ByteSize {
  private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)");
  private static final Map<String, Long> UNITS =
      Map.ofEntries(
          Map.entry("", 1L),
          Map.entry("b", 1L),
          Map.entry("k", 1000L),
          Map.entry("kb", 1000L),
          Map.entry("m", 1000L * 1000),
          Map.entry("mb", 1000L * 1000),
          Map.entry("g", 1000L * 1000 * 1000),
          Map.entry("gb", 1000L * 1000 * 1000),
          Map.entry("t", 1000L * 1000 * 1000 * 1000),
          Map.entry("tb", 1000L * 1000 * 1000 * 1000),
          Map.entry("p", 1000L * 1000 * 1000 * 1000 * 1000),
          Map.entry("pb", 1000L * 1000 * 1000 * 1000 * 1000),
          Map.entry("ki", 1L << 10),
          Map.entry("kib", 1L << 10),
          Map.entry("mi", 1L << 20),
          Map.entry("mib", 1L << 20),
          Map.entry("gi", 1L << 30),
          Map.entry("gib", 1L << 30),
          Map.entry("ti", 1L << 40),
          Map.entry("tib", 1L << 40),
          Map.entry("pi", 1L << 50),
          Map.entry("pib", 1L << 50));
  private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  private ByteSize() {}

  /** The number of bytes {@code text} names; a {@link ConfigException} if it names none. */
  public static long parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    Matcher form = FORM.matcher(trimmed);
    if (!form.matches()) {
      throw invalid(text);
    }
    Long unit = UNITS.get(form.group(2).toLowerCase(Locale.ROOT));
    if (unit == null) {
      throw invalid(text);
    }
    BigDecimal bytes =
        new BigDecimal(form.group(1))
            .multiply(BigDecimal.valueOf(unit))
            .setScale(0, RoundingMode.FLOOR);
    if (bytes.signum() <= 0 || bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw invalid(text);
    }
    return bytes.longValueExact();
  }

  /**
   * {@code bytes} as people read them, in the one style every output of Stevedore uses (log lines,
   * {@code gc}, {@code preload}, the status page): the largest binary (IEC) unit that keeps it at
   * least 1, one decimal that is left out when it is 0: {@code 0 B}, {@code 1023 B}, {@code 1 KiB},
   * {@code 1.5 GiB}. A value that would round to 1024 of a unit is shown in the next one.
   */
  public static String format(long bytes) {
    if (bytes < 1024) {
      return Math.max(0, bytes) + " B";
    }
    int unit = 0;
    double value = bytes;
    while (value >= 1023.95 && unit < BINARY.length - 1) {
      value /= 1024;
      unit++;
    }
    String number = String.format(Locale.ROOT, "%.1f", value);
    if (number.endsWith(".0")) {
      number = number.substring(0, number.length() - 2);
    }
    return number + " " + BINARY[unit];
  }

  private static ConfigException invalid(String text) {
    String shown = text == null ? "" : Printable.masked(text);
    return new ConfigException(
        "invalid size '"
            + shown
            + "' (use forms like 50GiB, 10GB, 512MiB, 1.5GB or a number of bytes)");
  }
}
