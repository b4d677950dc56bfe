package dev.stevedore.core.upstream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.core.model.ManifestValidator;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a referrers answer before it is cached and passed on: the upstream may be hostile, and
 * what it lists is linked into the repository ({@code RepositoryLinks}), so it must be an OCI image
 * index (JSON of bounded depth, {@code schemaVersion} 2, the index media type if it names one)
 * whose {@code manifests} are descriptors with a valid digest, a media type and a size. Anything
 * else is an {@link UpstreamProtocolException}: the answer is refused whole.
 */
final class ReferrersIndex {

  /** A referrers index lists descriptors only; far more than any real subject has. */
  static final int MAX_INDEX_BYTES = 4 * 1024 * 1024;

  private static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder()
                      .maxNestingDepth(ManifestValidator.MAX_DEPTH)
                      .build())
              .build());

  private ReferrersIndex() {}

  /** The digests the index lists, in order; throws unless the body is a referrers index. */
  static List<Digest> manifests(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw invalid("it is not JSON nested at most " + ManifestValidator.MAX_DEPTH + " deep");
    }
    if (root == null || !root.isObject()) {
      throw invalid("it is not a JSON object");
    }
    if (root.path("schemaVersion").asInt(-1) != 2 || !root.path("schemaVersion").isInt()) {
      throw invalid("its schemaVersion is not 2");
    }
    JsonNode mediaType = root.get("mediaType");
    if (mediaType != null && !MediaTypes.OCI_INDEX.equals(mediaType.textValue())) {
      throw invalid("its mediaType is not " + MediaTypes.OCI_INDEX);
    }
    JsonNode manifests = root.get("manifests");
    if (manifests == null || !manifests.isArray()) {
      throw invalid("it has no manifests array");
    }
    List<Digest> digests = new ArrayList<>(manifests.size());
    for (JsonNode descriptor : manifests) {
      digests.add(descriptorDigest(descriptor));
    }
    return digests;
  }

  private static Digest descriptorDigest(JsonNode descriptor) {
    if (!descriptor.isObject()) {
      throw invalid("a manifests entry is not a descriptor");
    }
    JsonNode mediaType = descriptor.get("mediaType");
    if (mediaType == null || !mediaType.isTextual() || mediaType.textValue().isEmpty()) {
      throw invalid("a descriptor has no mediaType");
    }
    JsonNode size = descriptor.get("size");
    if (size == null || !size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
      throw invalid("a descriptor has no valid size");
    }
    JsonNode artifactType = descriptor.get("artifactType");
    if (artifactType != null && !artifactType.isTextual()) {
      throw invalid("a descriptor's artifactType is not a string");
    }
    JsonNode digest = descriptor.get("digest");
    if (digest == null || !digest.isTextual() || !Digest.isValid(digest.textValue())) {
      throw invalid("a descriptor has no valid digest");
    }
    return Digest.parse(digest.textValue());
  }

  private static UpstreamProtocolException invalid(String why) {
    return new UpstreamProtocolException("its referrers answer is no OCI image index: " + why);
  }
}
