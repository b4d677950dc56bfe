package dev.stevedore.core.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether bytes are a manifest Stevedore may store and serve, and of which media type. A
 * manifest is served later with its stored type to browsers as well as registry clients, so
 * anything that is not plainly a manifest is refused: HTML under a digest would be stored XSS.
 *
 * <p>A manifest must be a JSON object (nested at most {@link #MAX_DEPTH} deep) with {@code
 * schemaVersion} 2, of one of the four manifest types a pull understands (OCI image manifest and
 * index, Docker schema-2 manifest and manifest list). The type is the declared one (the upstream's
 * Content-Type, or a bundle's record); a declared type that is not specific ({@code
 * application/json}, {@code application/octet-stream}, none) yields to the body's own {@code
 * mediaType} field; a body's field that disagrees with a specific declared type is refused. With
 * neither, the type is inferred only where the specs leave no doubt: the Docker types require their
 * {@code mediaType} field, so a body without one is OCI — an index if it has {@code manifests}, an
 * image manifest if it has {@code config} and {@code layers}.
 *
 * <p>Docker schema 1 ({@code manifest.v1+json}, {@code v1+prettyjws}) is refused: Stevedore never
 * asks for it, Docker Hub and containerd 2 no longer serve or pull it, and a signed schema-1
 * manifest's digest is not the hash of the bytes served, so it could not be verified anyway.
 */
public final class ManifestValidator {

  /** Deeper than any real manifest (an index of manifests with annotations is about 4). */
  public static final int MAX_DEPTH = 32;

  private static final Set<String> KNOWN =
      Set.of(
          MediaTypes.OCI_MANIFEST,
          MediaTypes.OCI_INDEX,
          MediaTypes.DOCKER_MANIFEST_V2,
          MediaTypes.DOCKER_MANIFEST_LIST);

  /** Declared types that say only "some JSON" or "some bytes": the body's field decides. */
  private static final Set<String> UNSPECIFIC =
      Set.of("application/json", "application/octet-stream", "text/plain");

  private static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
              .build());

  /** Why bytes are not a manifest we keep. */
  public static final class InvalidManifestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidManifestException(String message) {
      super(message, null, false, false);
    }
  }

  private ManifestValidator() {}

  /**
   * The media type of {@code body} as a manifest, given the type it was declared with (without
   * parameters; empty when none).
   *
   * @throws InvalidManifestException when it is not a manifest we keep, saying why
   */
  public static String mediaTypeOf(byte[] body, Optional<String> declared) {
    JsonNode root = parse(body);
    if (root.path("schemaVersion").asInt(-1) != 2 || !root.path("schemaVersion").isInt()) {
      throw invalid("its schemaVersion is not 2");
    }
    Optional<String> own = ownMediaType(root);
    Optional<String> specific =
        declared
            .map(type -> type.strip().toLowerCase(Locale.ROOT))
            .filter(type -> !type.isEmpty() && !UNSPECIFIC.contains(type));
    String type;
    if (specific.isPresent()) {
      type = specific.get();
      if (own.isPresent() && !own.get().equals(type)) {
        throw invalid("it was declared " + type + " but says it is " + own.get());
      }
    } else {
      type = own.or(() -> inferred(root)).orElseThrow(() -> invalid("its media type is unknown"));
    }
    if (!KNOWN.contains(type)) {
      throw invalid(
          "its media type "
              + RepositoryName.printable(type)
              + " is not a manifest type Stevedore keeps");
    }
    requireShape(root, type, own.isPresent());
    return type;
  }

  /**
   * The body must have the shape of its type, so that its bytes alone decide the type: an index
   * lists {@code manifests} and has no {@code config}, an image manifest has a {@code config} and
   * no {@code manifests}, and a Docker manifest names its own {@code mediaType} (its spec requires
   * it). Otherwise an upstream could store an OCI manifest without a {@code mediaType} field under
   * the other OCI type, and the first record of a digest's type would be its to choose.
   */
  private static void requireShape(JsonNode root, String type, boolean namesItsType) {
    boolean index =
        type.equals(MediaTypes.OCI_INDEX) || type.equals(MediaTypes.DOCKER_MANIFEST_LIST);
    if (index && (!root.path("manifests").isArray() || root.has("config"))) {
      throw invalid("it is declared " + type + " but is not shaped as an index");
    }
    if (!index && (!root.path("config").isObject() || root.has("manifests"))) {
      throw invalid("it is declared " + type + " but is not shaped as an image manifest");
    }
    boolean docker =
        type.equals(MediaTypes.DOCKER_MANIFEST_V2) || type.equals(MediaTypes.DOCKER_MANIFEST_LIST);
    if (docker && !namesItsType) {
      throw invalid("it is declared " + type + " but does not name its mediaType");
    }
  }

  private static JsonNode parse(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException | RuntimeException e) {
      throw invalid("it is not JSON nested at most " + MAX_DEPTH + " deep");
    }
    if (root == null || !root.isObject()) {
      throw invalid("it is not a JSON object");
    }
    return root;
  }

  private static Optional<String> ownMediaType(JsonNode root) {
    JsonNode field = root.get("mediaType");
    if (field == null) {
      return Optional.empty();
    }
    if (!field.isTextual() || field.asText().isBlank()) {
      throw invalid("its mediaType field is not a media type");
    }
    return Optional.of(field.asText().strip().toLowerCase(Locale.ROOT));
  }

  private static Optional<String> inferred(JsonNode root) {
    boolean index = root.has("manifests");
    boolean image = root.has("config") && root.has("layers");
    if (index && !image) {
      return Optional.of(MediaTypes.OCI_INDEX);
    }
    if (image && !index) {
      return Optional.of(MediaTypes.OCI_MANIFEST);
    }
    return Optional.empty();
  }

  private static InvalidManifestException invalid(String why) {
    return new InvalidManifestException("not a manifest: " + why);
  }
}
