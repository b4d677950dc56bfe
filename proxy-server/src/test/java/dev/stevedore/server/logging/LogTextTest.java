package dev.stevedore.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {

  @Test
  void printableText_isReturnedAsIs() {
    String text = "GET /v2/library/alpine/manifests/3.19 – ünïcode ✓ \"quoted\" back\\slash";
    assertThat(LogText.printable(text)).isSameAs(text);
  }

  @Test
  void controls_areEscaped() {
    assertThat(LogText.printable("a\u0000b\r\nc\td\u007fe\u0085f\u001b[31m"))
        .isEqualTo("a\\x00b\\x0D\\x0Ac\\x09d\\x7Fe\\x85f\\x1B[31m");
  }

  @Test
  void formatCharactersAndSeparators_areEscaped() {
    assertThat(LogText.printable("x\u202Ey\u2028z\u2029\u200B"))
        .isEqualTo("x\\u202Ey\\u2028z\\u2029\\u200B");
  }

  @Test
  void loneSurrogates_areEscaped_pairsKept() {
    assertThat(LogText.printable("a\uD800b\uD83D\uDE00")).isEqualTo("a\\uD800b\uD83D\uDE00");
  }

  @Test
  void quoted_alsoEscapesQuoteAndBackslash() {
    assertThat(LogText.quoted("/v2/\"x\\y\u0000")).isEqualTo("/v2/\\x22x\\x5Cy\\x00");
  }

  @Test
  void null_staysNull() {
    assertThat(LogText.printable(null)).isNull();
  }
}
