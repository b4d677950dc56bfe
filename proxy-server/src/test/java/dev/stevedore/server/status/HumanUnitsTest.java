package dev.stevedore.server.status;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HumanUnitsTest {
  @Test
  void countsAndPercentages() {
    assertThat(HumanUnits.count(1_234_567)).isEqualTo("1,234,567");
    assertThat(HumanUnits.percent(2.0 / 3)).isEqualTo("66.7 %");
  }
}
