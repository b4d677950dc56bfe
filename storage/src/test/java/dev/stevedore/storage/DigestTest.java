package dev.stevedore.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestTest {
  private static final String HEX = "4f5a" + "0123456789abcdef".repeat(3) + "0123456789ab";

  @Test
  void parsesWhatItPrints() {
    Digest digest = Digest.parse("sha256:" + HEX);

    assertThat(digest.algorithm()).isEqualTo("sha256");
    assertThat(digest.hex()).isEqualTo(HEX);
    assertThat(digest.toString()).isEqualTo("sha256:" + HEX);
  }

  @Test
  void equalDigestsParsedApart_areEqualWithEqualHashCodes() {
    Digest a = Digest.parse("sha256:" + HEX);
    Digest b = Digest.parse(new String("sha256:" + HEX));

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
  }

  @Test
  void theHashCodeIsTheHashsFirstFourBytes() {
    assertThat(Digest.parse("sha256:" + HEX).hashCode()).isEqualTo(0x4f5a0123);
    assertThat(Digest.parse("sha256:ff" + HEX.substring(2)).hashCode()).isEqualTo(0xff5a0123);
  }

  @Test
  void sameHexUnderAnotherAlgorithm_isAnotherDigest() {
    Digest sha256 = Digest.sha256("x".getBytes(StandardCharsets.UTF_8));
    Digest sha512 = Digest.parse("sha512:" + sha256.hex() + sha256.hex());

    assertThat(sha512).isNotEqualTo(sha256);
    assertThat(sha256).isNotEqualTo(sha256.hex());
  }

  @Test
  void refusesUppercaseWrongLengthsAndOtherAlgorithms() {
    assertThatThrownBy(() -> Digest.parse("sha256:" + HEX.toUpperCase()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Digest.parse("sha256:" + HEX.substring(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Digest.parse("sha256:" + HEX + "0"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Digest.parse("md5:" + HEX))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Digest.isValid("sha256" + HEX)).isFalse();
  }
}
