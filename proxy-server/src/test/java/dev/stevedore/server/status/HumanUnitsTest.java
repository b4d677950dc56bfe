package dev.stevedore.server.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HumanUnitsTest {
  @Test
  void countsAndPercentages() {
    assertThat(HumanUnits.count(1_234_567)).isEqualTo("1,234,567");
    assertThat(HumanUnits.percent(2.0 / 3)).isEqualTo("66.7 %");
  }

  @Test
  void durations() {
    assertThat(HumanUnits.duration(Duration.ofSeconds(45))).isEqualTo("45 s");
    assertThat(HumanUnits.duration(Duration.ofSeconds(185))).isEqualTo("3 min 5 s");
    assertThat(HumanUnits.duration(Duration.ofMinutes(125))).isEqualTo("2 h 5 min");
    assertThat(HumanUnits.duration(Duration.ofHours(6))).isEqualTo("6 h");
    assertThat(HumanUnits.duration(Duration.ofMinutes(2))).isEqualTo("2 min");
    assertThat(HumanUnits.duration(Duration.ofHours(76))).isEqualTo("3 d 4 h");
    assertThat(HumanUnits.duration(Duration.ofSeconds(-5))).isEqualTo("0 s");
  }
}
