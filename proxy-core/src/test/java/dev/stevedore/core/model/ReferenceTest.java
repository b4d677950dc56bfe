package dev.stevedore.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * References as clients spell them, in particular the tags of the referrers tag schema and of
 * cosign ({@code sha256-<hex>}, {@code .sig}, {@code .att}, {@code .sbom}): tags like any other,
 * not digests, so they pull through by tag.
 */
class ReferenceTest {
  private static final String HEX =
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "sha256-" + HEX,
        "sha256-" + HEX + ".sig",
        "sha256-" + HEX + ".att",
        "sha256-" + HEX + ".sbom"
      })
  void referrersAndCosignTags_areTags(String tag) {
    Reference reference = Reference.parse(tag);

    assertThat(reference.isDigest()).isFalse();
    assertThat(reference.value()).isEqualTo(tag);
  }

  @Test
  void digest_isNoTag() {
    assertThat(Reference.parse("sha256:" + HEX).isDigest()).isTrue();
  }

  @Test
  void tagWithAColonOrTooLong_isRefused() {
    assertThatThrownBy(() -> Reference.parse("sha256:" + HEX + ".sig"))
        .isInstanceOf(RegistryException.class)
        .extracting(e -> ((RegistryException) e).code())
        .isEqualTo(ErrorCode.DIGEST_INVALID);
    assertThatThrownBy(() -> Reference.parse("a".repeat(129)))
        .isInstanceOf(RegistryException.class);
  }
}
