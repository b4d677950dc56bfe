package dev.stevedore.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.json.Json;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a manifest points to, parsed from its exact bytes: an index (OCI image index or Docker
 * manifest list) names child manifests; an image manifest names a config and layers.
 */
public sealed interface ManifestDocument {

  /** An OCI image index or Docker manifest list. */
  record Index(List<Descriptor> manifests) implements ManifestDocument {
    public Index {
      manifests = List.copyOf(manifests);
    }
  }

  /** An OCI image manifest or Docker schema-2 manifest. */
  record Image(Descriptor config, List<Descriptor> layers) implements ManifestDocument {
    public Image {
      layers = List.copyOf(layers);
    }

    /** The config and the layers: every blob the image needs. */
    public List<Descriptor> blobs() {
      List<Descriptor> all = new ArrayList<>(layers.size() + 1);
      all.add(config);
      all.addAll(layers);
      return all;
    }
  }

  /** Parses a manifest of the given media type; malformed JSON is a {@code MANIFEST_INVALID}. */
  static ManifestDocument parse(String mediaType, byte[] body) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw ErrorCode.MANIFEST_INVALID.exception("manifest is not JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw ErrorCode.MANIFEST_INVALID.exception("manifest is not a JSON object");
    }
    boolean index =
        MediaTypes.OCI_INDEX.equals(mediaType)
            || MediaTypes.DOCKER_MANIFEST_LIST.equals(mediaType)
            || (root.has("manifests") && !root.has("layers"));
    if (index) {
      return new Index(descriptors(root.path("manifests")));
    }
    if (!root.has("config")) {
      throw ErrorCode.MANIFEST_INVALID.exception("unsupported manifest type " + mediaType);
    }
    return new Image(descriptor(root.get("config")), descriptors(root.path("layers")));
  }

  private static List<Descriptor> descriptors(JsonNode array) {
    List<Descriptor> result = new ArrayList<>();
    for (JsonNode node : array) {
      result.add(descriptor(node));
    }
    return result;
  }

  private static Descriptor descriptor(JsonNode node) {
    try {
      JsonNode platform = node.path("platform");
      Optional<Platform> parsedPlatform =
          platform.isObject()
              ? Optional.of(
                  new Platform(
                      platform.path("os").asText(),
                      platform.path("architecture").asText(),
                      Optional.ofNullable(platform.get("variant")).map(JsonNode::asText)))
              : Optional.empty();
      return new Descriptor(
          node.path("mediaType").asText(""),
          Digest.parse(node.path("digest").asText()),
          node.path("size").asLong(-1),
          parsedPlatform);
    } catch (IllegalArgumentException e) {
      throw ErrorCode.MANIFEST_INVALID.exception(
          "manifest has an invalid descriptor: " + e.getMessage());
    }
  }
}
