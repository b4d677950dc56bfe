package dev.stevedore.server.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HumanUnitsTest {
  @Test
  void bytes_binaryUnits() {
    assertThat(HumanUnits.bytes(0)).isEqualTo("0 B");
    assertThat(HumanUnits.bytes(1023)).isEqualTo("1023 B");
    assertThat(HumanUnits.bytes(1024)).isEqualTo("1.0 KiB");
    assertThat(HumanUnits.bytes(1536)).isEqualTo("1.5 KiB");
    assertThat(HumanUnits.bytes((1L << 20) - 1)).isEqualTo("1.0 MiB");
    assertThat(HumanUnits.bytes(5L << 30)).isEqualTo("5.0 GiB");
    assertThat(HumanUnits.bytes(3L << 40)).isEqualTo("3.0 TiB");
    assertThat(HumanUnits.bytes(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
  }

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
