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
  void ago_inTheLargestWholeUnit() {
    assertThat(HumanUnits.ago(Duration.ofMillis(900))).isEqualTo("0 s ago");
    assertThat(HumanUnits.ago(Duration.ofSeconds(59))).isEqualTo("59 s ago");
    assertThat(HumanUnits.ago(Duration.ofSeconds(60))).isEqualTo("1 min ago");
    assertThat(HumanUnits.ago(Duration.ofMinutes(59).plusSeconds(59))).isEqualTo("59 min ago");
    assertThat(HumanUnits.ago(Duration.ofHours(26))).isEqualTo("26 h ago");
    assertThat(HumanUnits.ago(Duration.ofSeconds(-5))).as("another clock").isEqualTo("0 s ago");
  }
}
