package dev.stevedore.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ManifestValidatorTest {

  private static final String IMAGE_BODY =
      "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
          + "\"digest\":\"sha256:"
          + "0".repeat(64)
          + "\",\"size\":2},\"layers\":[]}";

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String withType(String type) {
    return "{\"schemaVersion\":2,\"mediaType\":\""
        + type
        + "\","
        + IMAGE_BODY.substring("{\"schemaVersion\":2,".length());
  }

  @Test
  void knownTypes_fromContentType_areAccepted() {
    assertThat(
            ManifestValidator.mediaTypeOf(bytes(IMAGE_BODY), Optional.of(MediaTypes.OCI_MANIFEST)))
        .isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(
            ManifestValidator.mediaTypeOf(
                bytes(withType(MediaTypes.DOCKER_MANIFEST_V2)),
                Optional.of(MediaTypes.DOCKER_MANIFEST_V2)))
        .isEqualTo(MediaTypes.DOCKER_MANIFEST_V2);
    assertThat(
            ManifestValidator.mediaTypeOf(
                bytes("{\"schemaVersion\":2,\"manifests\":[]}"), Optional.of(MediaTypes.OCI_INDEX)))
        .isEqualTo(MediaTypes.OCI_INDEX);
  }

  @Test
  void withoutASpecificContentType_theBodysOwnTypeDecides() {
    byte[] list =
        bytes(
            "{\"schemaVersion\":2,\"mediaType\":\""
                + MediaTypes.DOCKER_MANIFEST_LIST
                + "\",\"manifests\":[]}");

    assertThat(ManifestValidator.mediaTypeOf(list, Optional.empty()))
        .isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
    assertThat(ManifestValidator.mediaTypeOf(list, Optional.of("application/json")))
        .isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
  }

  @Test
  void withNeither_onlyUnambiguousOciShapesAreInferred() {
    assertThat(ManifestValidator.mediaTypeOf(bytes(IMAGE_BODY), Optional.empty()))
        .isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(
            ManifestValidator.mediaTypeOf(
                bytes("{\"schemaVersion\":2,\"manifests\":[]}"), Optional.empty()))
        .isEqualTo(MediaTypes.OCI_INDEX);
    assertRefused(bytes("{\"schemaVersion\":2}"), Optional.empty(), "unknown");
  }

  @Test
  void aBodyWhoseShapeIsNotItsDeclaredType_isRefused() {
    byte[] index = bytes("{\"schemaVersion\":2,\"manifests\":[]}");

    assertRefused(bytes(IMAGE_BODY), Optional.of(MediaTypes.OCI_INDEX), "not shaped as an index");
    assertRefused(index, Optional.of(MediaTypes.OCI_MANIFEST), "not shaped as an image manifest");
    assertRefused(
        bytes(IMAGE_BODY),
        Optional.of(MediaTypes.DOCKER_MANIFEST_V2),
        "does not name its mediaType");
    assertRefused(
        index, Optional.of(MediaTypes.DOCKER_MANIFEST_LIST), "does not name its mediaType");
  }

  @Test
  void html_isRefused() {
    assertRefused(
        bytes("<html><script>alert(1)</script></html>"), Optional.of("text/html"), "not JSON");
    assertRefused(bytes(IMAGE_BODY), Optional.of("text/html"), "text/html");
  }

  @Test
  void contentTypeThatDisagreesWithTheBody_isRefused() {
    assertRefused(
        bytes(withType(MediaTypes.DOCKER_MANIFEST_V2)),
        Optional.of(MediaTypes.OCI_MANIFEST),
        "says it is");
  }

  @Test
  void deepNesting_isRefusedWithoutParsingItAll() {
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    assertRefused(
        bytes("{\"schemaVersion\":2,\"layers\":" + deep + "}"),
        Optional.of(MediaTypes.OCI_MANIFEST),
        "deep");
  }

  @Test
  void notAnObject_orNotSchemaVersion2_isRefused() {
    assertRefused(bytes("[]"), Optional.of(MediaTypes.OCI_MANIFEST), "object");
    assertRefused(
        bytes("{\"schemaVersion\":1,\"config\":{},\"layers\":[]}"),
        Optional.of(MediaTypes.OCI_MANIFEST),
        "schemaVersion");
    assertRefused(
        bytes("{\"schemaVersion\":\"2\",\"config\":{},\"layers\":[]}"),
        Optional.of(MediaTypes.OCI_MANIFEST),
        "schemaVersion");
  }

  @Test
  void schema1_isRefused() {
    assertRefused(
        bytes("{\"schemaVersion\":2,\"name\":\"x\"}"),
        Optional.of(MediaTypes.DOCKER_MANIFEST_V1_SIGNED),
        "not a manifest type");
  }

  private static void assertRefused(byte[] body, Optional<String> type, String why) {
    assertThatThrownBy(() -> ManifestValidator.mediaTypeOf(body, type))
        .isInstanceOf(ManifestValidator.InvalidManifestException.class)
        .hasMessageContaining(why);
  }
}
