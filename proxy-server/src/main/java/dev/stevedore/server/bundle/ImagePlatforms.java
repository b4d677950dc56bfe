package dev.stevedore.server.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.json.Json;
import dev.stevedore.core.model.Descriptor;
import dev.stevedore.core.model.ManifestDocument;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The platforms ({@code os/arch[/variant]}) of an image, as a bundle record and {@code bundle ls}
 * show them: an index's child platforms (attestation entries, {@code unknown/unknown}, left out),
 * or a single image's config {@code os}/{@code architecture}.
 */
final class ImagePlatforms {
  /** Reads a blob's bytes, if at hand. */
  interface Source {
    Optional<byte[]> read(Digest digest) throws IOException;
  }

  private ImagePlatforms() {}

  /** The platforms of the top manifest {@code body}; empty when they cannot be told. */
  static List<String> of(String mediaType, byte[] body, Source source) throws IOException {
    ManifestDocument document;
    try {
      document = ManifestDocument.parse(mediaType, body);
    } catch (RegistryException e) {
      return List.of();
    }
    List<String> platforms = new ArrayList<>();
    if (document instanceof ManifestDocument.Index index) {
      for (Descriptor child : index.manifests()) {
        child
            .platform()
            .filter(p -> !p.os().equals("unknown"))
            .ifPresent(p -> platforms.add(p.toString()));
      }
    } else if (document instanceof ManifestDocument.Image image) {
      Optional<byte[]> config = source.read(image.config().digest());
      if (config.isPresent()) {
        try {
          JsonNode root = Json.MAPPER.readTree(config.get());
          String os = root.path("os").asText("");
          String arch = root.path("architecture").asText("");
          String variant = root.path("variant").asText("");
          if (!os.isEmpty() && !arch.isEmpty()) {
            platforms.add(os + "/" + arch + (variant.isEmpty() ? "" : "/" + variant));
          }
        } catch (IOException e) {
          // not JSON: no platform to show
        }
      }
    }
    return platforms;
  }
}
