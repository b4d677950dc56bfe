package dev.stevedore.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.error.RegistryException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {

  @ParameterizedTest
  @CsvSource({
    "alpine, docker.io/library/alpine:latest",
    "alpine:3.19, docker.io/library/alpine:3.19",
    "library/alpine, docker.io/library/alpine:latest",
    "docker.io/library/alpine:3.19, docker.io/library/alpine:3.19",
    "docker.io/alpine, docker.io/library/alpine:latest",
    "index.docker.io/bitnami/redis:7, docker.io/bitnami/redis:7",
    "ghcr.io/org/app:v1, ghcr.io/org/app:v1",
    "ghcr.io/app, ghcr.io/app:latest",
    "localhost/app, localhost/app:latest",
    "127.0.0.1:5001/team/app:2, 127.0.0.1:5001/team/app:2",
    "registry.k8s.io/pause:3.9, registry.k8s.io/pause:3.9",
  })
  void parse_usualForms_giveFullName(String text, String full) {
    assertThat(ImageReference.parse(text).toString()).isEqualTo(full);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ghcr.io/org/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "ghcr.io/org/app:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
      })
  void parse_digest_wins(String text) {
    ImageReference image = ImageReference.parse(text);

    assertThat(image.registry()).isEqualTo("ghcr.io");
    assertThat(image.repository().value()).isEqualTo("org/app");
    assertThat(image.reference().isDigest()).isTrue();
    assertThat(image.toString()).contains("@sha256:");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "UPPER/case", "a//b", "alpine:bad tag", "ghcr.io/x@sha256:zz", "../etc"})
  void parse_invalid_isRegistryException(String text) {
    assertThatThrownBy(() -> ImageReference.parse(text)).isInstanceOf(RegistryException.class);
  }
}
