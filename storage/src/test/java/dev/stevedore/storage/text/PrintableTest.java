package dev.stevedore.storage.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrintableTest {

  @Test
  void escaped_printableText_isReturnedAsIs() {
    String text = "GET /v2/library/alpine/manifests/3.19 – ünïcode ✓ \"quoted\" back\\slash";
    assertThat(Printable.escaped(text)).isSameAs(text);
  }

  @Test
  void controls_areEscaped() {
    assertThat(Printable.escaped("a\u0000b\r\nc\td\u007fe\u0085f\u001b[31m"))
        .isEqualTo("a\\x00b\\x0D\\x0Ac\\x09d\\x7Fe\\x85f\\x1B[31m");
  }

  @Test
  void formatCharactersAndSeparators_areEscaped() {
    assertThat(Printable.escaped("x\u202Ey\u2028z\u2029\u200B"))
        .isEqualTo("x\\u202Ey\\u2028z\\u2029\\u200B");
  }

  @Test
  void loneSurrogates_areEscaped_pairsKept() {
    assertThat(Printable.escaped("a\uD800b\uD83D\uDE00")).isEqualTo("a\\uD800b\uD83D\uDE00");
  }

  @Test
  void quoted_alsoEscapesQuoteAndBackslash() {
    assertThat(Printable.quoted("/v2/\"x\\y\u0000")).isEqualTo("/v2/\\x22x\\x5Cy\\x00");
  }

  @Test
  void null_staysNull() {
    assertThat(Printable.escaped(null)).isNull();
  }

  @Test
  void masked_replacesAsciiControlsOnly() {
    assertThat(Printable.masked("a\u0000b\r\nc\u007fd\u0085 ✓")).isEqualTo("a?b??c?d\u0085 ✓");
  }

  @Test
  void masked_cutsLongTextWithAnEllipsis() {
    assertThat(Printable.masked("abcdef", 6)).isEqualTo("abcdef");
    assertThat(Printable.masked("abcdefg", 6)).isEqualTo("abcdef…");
  }

  @Test
  void masked_neverCutsASurrogatePairInHalf() {
    assertThat(Printable.masked("ab\uD83D\uDE00", 3)).isEqualTo("ab…");
  }

  @Test
  void oneLine_foldsLineBreaksIntoSpaces_masksOtherControls_strips() {
    assertThat(Printable.oneLine(" first\r\n\tsecond\u0000third\n", 100))
        .isEqualTo("first second?third");
    assertThat(Printable.oneLine("abc\ndef", 5)).isEqualTo("abc d…");
  }
}
