package dev.stevedore.server.preload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {

  @Test
  void bytes_usesDecimalUnitsWithOneDecimal() {
    assertThat(Units.bytes(0)).isEqualTo("0 B");
    assertThat(Units.bytes(999)).isEqualTo("999 B");
    assertThat(Units.bytes(1_000)).isEqualTo("1.0 kB");
    assertThat(Units.bytes(12_345_678)).isEqualTo("12.3 MB");
    assertThat(Units.bytes(999_960)).isEqualTo("1.0 MB");
    assertThat(Units.bytes(4_200_000_000L)).isEqualTo("4.2 GB");
  }

  @Test
  void duration_secondsThenMinutesThenHours() {
    assertThat(Units.duration(Duration.ofMillis(420))).isEqualTo("0.4 s");
    assertThat(Units.duration(Duration.ofMillis(12_340))).isEqualTo("12.3 s");
    assertThat(Units.duration(Duration.ofSeconds(125))).isEqualTo("2 min 5 s");
    assertThat(Units.duration(Duration.ofMinutes(62))).isEqualTo("1 h 2 min");
  }
}
