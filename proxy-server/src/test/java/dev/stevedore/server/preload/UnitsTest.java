package dev.stevedore.server.preload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {

  @Test
  void duration_secondsThenMinutesThenHours() {
    assertThat(Units.duration(Duration.ofMillis(420))).isEqualTo("0.4 s");
    assertThat(Units.duration(Duration.ofMillis(12_340))).isEqualTo("12.3 s");
    assertThat(Units.duration(Duration.ofSeconds(125))).isEqualTo("2 min 5 s");
    assertThat(Units.duration(Duration.ofMinutes(62))).isEqualTo("1 h 2 min");
  }
}
