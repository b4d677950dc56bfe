package dev.stevedore.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {

  @ParameterizedTest(name = "{0} = {1} bytes")
  @CsvSource({
    "1048576, 1048576",
    "1, 1",
    "512B, 512",
    "10MB, 10000000",
    "10mb, 10000000",
    "10M, 10000000",
    "1.5GB, 1500000000",
    "2kB, 2000",
    "2KB, 2000",
    "1TB, 1000000000000",
    "1PB, 1000000000000000",
    "512MiB, 536870912",
    "512Mi, 536870912",
    "50GiB, 53687091200",
    "50gib, 53687091200",
    "1.5GiB, 1610612736",
    "3KiB, 3072",
    "2TiB, 2199023255552",
    "1PiB, 1125899906842624",
    "'  10 GiB  ', 10737418240",
    "0.5KiB, 512",
    "1.0001KB, 1000",
  })
  void parse_decimalAndBinaryUnits(String text, long bytes) {
    assertThat(ByteSize.parse(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "0",
        "0GB",
        "0.0001B",
        "-1GB",
        "GB",
        "10 XB",
        "10GiBs",
        "1,5GB",
        "1e9",
        "1.GB",
        ".5GB",
        "10 G B",
        "99999999999PiB",
        "9223372036854775808",
        "ten"
      })
  void parse_nonsenseZeroNegativeOrTooLarge_isAConfigErrorOnOneLine(String text) {
    assertThatThrownBy(() -> ByteSize.parse(text))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid size '")
        .hasMessageContaining("50GiB")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void parse_largestLong_isAccepted() {
    assertThat(ByteSize.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void format_picksTheLargestBinaryUnit() {
    assertThat(ByteSize.format(0)).isEqualTo("0 B");
    assertThat(ByteSize.format(1023)).isEqualTo("1023 B");
    assertThat(ByteSize.format(3 * 1024 * 1024)).isEqualTo("3 MiB");
    assertThat(ByteSize.format(1610612736)).isEqualTo("1.5 GiB");
  }

  @Test
  void format_oneDecimal_leftOutWhenZero() {
    assertThat(ByteSize.format(1024)).isEqualTo("1 KiB");
    assertThat(ByteSize.format(1536)).isEqualTo("1.5 KiB");
    assertThat(ByteSize.format(12_345_678)).isEqualTo("11.8 MiB");
    assertThat(ByteSize.format(5L << 30)).isEqualTo("5 GiB");
    assertThat(ByteSize.format(3L << 40)).isEqualTo("3 TiB");
  }

  @Test
  void format_aValueThatRoundsTo1024_showsTheNextUnit() {
    assertThat(ByteSize.format((1L << 20) - 1)).isEqualTo("1 MiB");
    assertThat(ByteSize.format(Long.MAX_VALUE)).isEqualTo("8 EiB");
  }

  @Test
  void format_negative_isZero() {
    assertThat(ByteSize.format(-5)).isEqualTo("0 B");
  }

  @Test
  void resolver_flagOverridesFile_andBadValueNamesTheSetting() {
    ServeSettings none =
        ServeSettingsResolver.resolve(ServeSettingsResolver.Flags.none(), Map.of());
    assertThat(none.maxCacheSize()).isEmpty();

    assertThat(resolve("512MiB").maxCacheSize()).hasValue(536870912L);
    assertThatThrownBy(() -> resolve("lots"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("max-cache-size: invalid size 'lots'");
  }

  private static ServeSettings resolve(String maxCacheSize) {
    return ServeSettingsResolver.resolve(
        new ServeSettingsResolver.Flags(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            Optional.empty(),
            Optional.empty(),
            false,
            Optional.of(maxCacheSize)),
        Map.of());
  }
}
