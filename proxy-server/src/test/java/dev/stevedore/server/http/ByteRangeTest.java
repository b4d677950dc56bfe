package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ByteRangeTest {
  private static final long SIZE = 1000;

  private static ByteRange.Request parse(String header, long size) {
    return ByteRange.parse(Optional.of(header), size);
  }

  private static ByteRange.Request partial(long first, long last) {
    return new ByteRange.Partial(new ByteRange(first, last));
  }

  @Test
  void parse_absent_isWhole() {
    assertThat(ByteRange.parse(Optional.empty(), SIZE)).isEqualTo(new ByteRange.Whole());
  }

  @Test
  void parse_firstAndLast_isThoseBytes() {
    assertThat(parse("bytes=0-99", SIZE)).isEqualTo(partial(0, 99));
  }

  @Test
  void parse_openEnded_isToTheEnd() {
    assertThat(parse("bytes=100-", SIZE)).isEqualTo(partial(100, 999));
  }

  @Test
  void parse_suffixRange_isLastBytes() {
    assertThat(parse("bytes=-50", SIZE)).isEqualTo(partial(950, 999));
  }

  @Test
  void parse_suffixLongerThanBody_isWholeBodyAsPartial() {
    assertThat(parse("bytes=-5000", SIZE)).isEqualTo(partial(0, 999));
  }

  @Test
  void parse_lastBeyondSize_clampsToLastByte() {
    assertThat(parse("bytes=900-5000", SIZE)).isEqualTo(partial(900, 999));
  }

  @Test
  void parse_singleByte_isOneByte() {
    ByteRange.Request request = parse("bytes=999-999", SIZE);

    assertThat(request).isEqualTo(partial(999, 999));
    assertThat(((ByteRange.Partial) request).range().length()).isEqualTo(1);
  }

  @Test
  void parse_whitespaceAroundNumbers_isAccepted() {
    assertThat(parse("bytes= 10 - 19 ", SIZE)).isEqualTo(partial(10, 19));
  }

  @Test
  void parse_firstAtSizeWithLast_isUnsatisfiable() {
    assertThat(parse("bytes=1000-1999", SIZE)).isEqualTo(new ByteRange.Unsatisfiable());
  }

  @Test
  void parse_openEndedFromSizeOrBeyond_isUnsatisfiable() {
    assertThat(parse("bytes=1000-", SIZE)).isEqualTo(new ByteRange.Unsatisfiable());
    assertThat(parse("bytes=5000-", SIZE)).isEqualTo(new ByteRange.Unsatisfiable());
    assertThat(parse("bytes=0-", 0)).isEqualTo(new ByteRange.Unsatisfiable());
  }

  @Test
  void parse_firstBeyondSizeWithLast_isUnsatisfiable() {
    assertThat(parse("bytes=5000-6000", SIZE)).isEqualTo(new ByteRange.Unsatisfiable());
  }

  @Test
  void parse_zeroSuffix_isUnsatisfiable() {
    assertThat(parse("bytes=-0", SIZE)).isEqualTo(new ByteRange.Unsatisfiable());
  }

  @Test
  void parse_firstTooLargeForLong_isUnsatisfiable() {
    assertThat(parse("bytes=99999999999999999999-", SIZE)).isEqualTo(new ByteRange.Unsatisfiable());
  }

  @Test
  void parse_lastTooLargeForLong_clampsToLastByte() {
    assertThat(parse("bytes=10-99999999999999999999", SIZE)).isEqualTo(partial(10, 999));
    assertThat(parse("bytes=-99999999999999999999", SIZE)).isEqualTo(partial(0, 999));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "bytes=0-1,5-6",
        "bytes=0-99, 200-299",
        "bytes=-",
        "bytes=",
        "bytes=abc-def",
        "bytes=1-2-3",
        "items=0-99",
        "0-99",
        "bytes 0-99",
        "bytes=99-0",
        "",
        "garbage"
      })
  void parse_malformedOrMultiRange_isWhole(String header) {
    assertThat(parse(header, SIZE)).isEqualTo(new ByteRange.Whole());
  }

  @Test
  void parse_zeroSizeBlobWithoutRange_isWhole() {
    assertThat(ByteRange.parse(Optional.empty(), 0)).isEqualTo(new ByteRange.Whole());
  }

  @Test
  void parse_zeroSizeBlobFirstByte_isUnsatisfiable() {
    assertThat(parse("bytes=0-0", 0)).isEqualTo(new ByteRange.Unsatisfiable());
  }

  @Test
  void parse_zeroSizeBlobSuffix_isNotPartial() {
    assertThat(parse("bytes=-10", 0)).isNotInstanceOf(ByteRange.Partial.class);
  }

  @Test
  void contentRange_partial_isFirstLastSlashSize() {
    assertThat(new ByteRange(100, 199).contentRange(SIZE)).isEqualTo("bytes 100-199/1000");
  }

  @Test
  void length_isInclusive() {
    assertThat(new ByteRange(0, 99).length()).isEqualTo(100);
  }
}
