package dev.stevedore.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.error.RegistryException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ManifestDocumentTest {
  private static final String A = "sha256:" + "a".repeat(64);
  private static final String B = "sha256:" + "b".repeat(64);

  private static byte[] json(String text) {
    return text.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void parse_index_listsChildrenWithPlatforms() {
    ManifestDocument document =
        ManifestDocument.parse(
            MediaTypes.OCI_INDEX,
            json(
                "{'schemaVersion':2,'manifests':[{'mediaType':'m','digest':'"
                    + A
                    + "','size':5,"
                    + "'platform':{'os':'linux','architecture':'arm64','variant':'v8'}}]}"));

    ManifestDocument.Index index = (ManifestDocument.Index) document;
    assertThat(index.manifests()).hasSize(1);
    assertThat(index.manifests().get(0).platform())
        .hasValue(new Platform("linux", "arm64", Optional.of("v8")));
    assertThat(Platform.parse("linux/arm64").matches(index.manifests().get(0).platform().get()))
        .isTrue();
  }

  @Test
  void parse_image_listsConfigThenLayers() {
    ManifestDocument.Image image =
        (ManifestDocument.Image)
            ManifestDocument.parse(
                MediaTypes.DOCKER_MANIFEST_V2,
                json(
                    "{'config':{'mediaType':'c','digest':'"
                        + A
                        + "','size':1},"
                        + "'layers':[{'mediaType':'l','digest':'"
                        + B
                        + "','size':2}]}"));

    assertThat(image.blobs()).extracting(d -> d.digest().toString()).containsExactly(A, B);
  }

  @Test
  void parse_garbage_isManifestInvalid() {
    assertThatThrownBy(() -> ManifestDocument.parse(MediaTypes.OCI_MANIFEST, json("nope")))
        .isInstanceOf(RegistryException.class);
    assertThatThrownBy(
            () ->
                ManifestDocument.parse(
                    MediaTypes.OCI_MANIFEST, json("{'config':{'digest':'sha256:12'}}")))
        .isInstanceOf(RegistryException.class);
  }
}
