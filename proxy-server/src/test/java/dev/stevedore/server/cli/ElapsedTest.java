package dev.stevedore.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ElapsedTest {
  @Test
  void format_secondsWithOneDecimal_thenMinutes() {
    assertThat(Elapsed.format(420)).isEqualTo("0.4 s");
    assertThat(Elapsed.format(12_049)).isEqualTo("12.0 s");
    assertThat(Elapsed.format(185_000)).isEqualTo("3 min 5 s");
  }
}
