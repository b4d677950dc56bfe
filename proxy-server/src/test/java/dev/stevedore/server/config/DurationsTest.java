package dev.stevedore.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @Test
  void parse_seconds_isSeconds() {
    assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void parse_minutes_isMinutes() {
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void parse_hoursAndMinutes_addsUp() {
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void parse_days_isDays() {
    assertThat(Durations.parse("2d")).isEqualTo(Duration.ofDays(2));
  }

  @Test
  void parse_milliseconds_isNotMinutes() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void parse_minutesThenSeconds_addsUp() {
    assertThat(Durations.parse("1m5s")).isEqualTo(Duration.ofSeconds(65));
  }

  @Test
  void parse_zero_isZero() {
    assertThat(Durations.parse("0s")).isZero();
  }

  @Test
  void parse_iso8601_isAccepted() {
    assertThat(Durations.parse("PT5M")).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void parse_iso8601LowerCase_isAccepted() {
    assertThat(Durations.parse("pt1h")).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void parse_surroundingWhitespace_isIgnored() {
    assertThat(Durations.parse("  5m ")).isEqualTo(Duration.ofMinutes(5));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "banana",
        "5",
        "m",
        "5x",
        "-5m",
        "5 m",
        "5M",
        "1.5h",
        "5m banana",
        "PT",
        "PT-5M",
        "P"
      })
  void parse_malformed_isOneLineConfigException(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'" + text + "'")
        .hasMessageContaining("30s")
        .hasMessageNotContaining("\n");
  }

  @ParameterizedTest
  @NullAndEmptySource
  void parse_nullOrEmpty_isConfigException(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(ConfigException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"99999999999999999999s", "9223372036854775807d", "9223372036854775807h"})
  void parse_amountTooLarge_isConfigException(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(text);
  }

  @Test
  void format_secondsWithOneDecimalThenTwoUnits() {
    assertThat(Durations.format(Duration.ofMillis(420))).isEqualTo("0.4 s");
    assertThat(Durations.format(Duration.ofMillis(12_340))).isEqualTo("12.3 s");
    assertThat(Durations.format(Duration.ofSeconds(45))).isEqualTo("45 s");
    assertThat(Durations.format(Duration.ofMillis(59_990))).isEqualTo("60 s");
    assertThat(Durations.format(Duration.ofSeconds(125))).isEqualTo("2 min 5 s");
    assertThat(Durations.format(Duration.ofSeconds(185))).isEqualTo("3 min 5 s");
    assertThat(Durations.format(Duration.ofMinutes(2))).isEqualTo("2 min");
    assertThat(Durations.format(Duration.ofMinutes(62))).isEqualTo("1 h 2 min");
    assertThat(Durations.format(Duration.ofMinutes(125))).isEqualTo("2 h 5 min");
    assertThat(Durations.format(Duration.ofHours(6))).isEqualTo("6 h");
    assertThat(Durations.format(Duration.ofHours(76))).isEqualTo("3 d 4 h");
    assertThat(Durations.format(Duration.ofSeconds(-5))).isEqualTo("0 s");
  }
}
