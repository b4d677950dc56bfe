package dev.stevedore.server.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.core.json.Json;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The files of an OCI image layout as a bundle holds them: {@code oci-layout}, {@code index.json}
 * and {@code blobs/<alg>/<hex>}.
 *
 * <p>Each image is one descriptor in {@code index.json} (its top manifest: an index or an image
 * manifest, media type and bytes exactly as the registry served them) named twice with the full
 * image name, e.g. {@code docker.io/library/alpine:3.19}:
 *
 * <ul>
 *   <li>{@value #IMAGE_NAME}: containerd's {@code ctr images import} names the image by it, as is
 *       (it would otherwise take {@code ref.name}, and prefix a bare tag with {@code
 *       import-DATE:}).
 *   <li>{@value #REF_NAME}: skopeo's {@code oci-archive:FILE:NAME} selects the descriptor whose
 *       {@code ref.name} equals NAME exactly, so the full name keeps images of different
 *       repositories with the same tag apart. (The spec's examples use a bare tag here, but its
 *       grammar allows full names, and containerd ignores this one when the first is present.)
 * </ul>
 *
 * <p>An image exported by digest ({@code ghcr.io/org/app@sha256:…}) is named by that digest
 * reference: containerd lists it under it (as {@code ctr images pull} of a digest does), and no tag
 * is recorded on import.
 */
final class OciLayout {
  static final String LAYOUT_FILE = "oci-layout";
  static final String INDEX_FILE = "index.json";
  static final String LAYOUT_VERSION = "1.0.0";
  static final String IMAGE_NAME = "io.containerd.image.name";
  static final String REF_NAME = "org.opencontainers.image.ref.name";
  static final int MAX_INDEX_BYTES = 16 * 1024 * 1024;

  private OciLayout() {}

  /** One image of {@code index.json}: its top manifest's descriptor and its name, if it has one. */
  record Entry(String mediaType, Digest digest, long size, Optional<String> name) {}

  /** {@code blobs/<alg>/<hex>}. */
  static String blobPath(Digest digest) {
    return "blobs/" + digest.algorithm() + "/" + digest.hex();
  }

  /** The digest of a {@code blobs/<alg>/<hex>} entry name; empty for any other name. */
  static Optional<Digest> blobDigest(String name) {
    String[] parts = name.split("/");
    if (parts.length != 3 || !parts[0].equals("blobs")) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Digest(parts[1], parts[2]));
    } catch (IllegalArgumentException e) {
      throw new BundleException(
          "bundle entry " + TarReader.printable(name) + " is not named by a valid digest");
    }
  }

  static byte[] layoutFile() {
    return ("{\"imageLayoutVersion\":\"" + LAYOUT_VERSION + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  /** Checks an {@code oci-layout} file. */
  static void checkLayoutFile(byte[] content) {
    JsonNode root = parseJson(content, LAYOUT_FILE);
    String version = root.path("imageLayoutVersion").asText("");
    if (!version.equals(LAYOUT_VERSION)) {
      throw new BundleException(
          "bundle's oci-layout has version '"
              + TarReader.printable(version)
              + "'; only "
              + LAYOUT_VERSION
              + " is supported");
    }
  }

  /** {@code index.json} naming each entry with both annotations. */
  static byte[] index(List<Entry> entries) {
    List<Map<String, Object>> manifests = new ArrayList<>();
    for (Entry entry : entries) {
      Map<String, Object> descriptor = new LinkedHashMap<>();
      descriptor.put("mediaType", entry.mediaType());
      descriptor.put("digest", entry.digest().toString());
      descriptor.put("size", entry.size());
      entry
          .name()
          .ifPresent(
              name -> {
                Map<String, String> annotations = new LinkedHashMap<>();
                annotations.put(IMAGE_NAME, name);
                annotations.put(REF_NAME, name);
                descriptor.put("annotations", annotations);
              });
      manifests.add(descriptor);
    }
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    index.put("manifests", manifests);
    try {
      return Json.MAPPER.writeValueAsBytes(index);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write index.json", e);
    }
  }

  /**
   * The entries of an {@code index.json}. The name is {@value #IMAGE_NAME}, else {@value #REF_NAME}
   * when it is a full reference (has a {@code /}, {@code :} or {@code @}; a bare tag names no
   * repository).
   */
  static List<Entry> parseIndex(byte[] content) {
    JsonNode root = parseJson(content, INDEX_FILE);
    JsonNode manifests = root.path("manifests");
    if (!manifests.isArray()) {
      throw new BundleException("bundle's index.json has no manifests array");
    }
    List<Entry> entries = new ArrayList<>();
    for (JsonNode node : manifests) {
      Digest digest;
      try {
        digest = Digest.parse(node.path("digest").asText(""));
      } catch (IllegalArgumentException e) {
        throw new BundleException("bundle's index.json has an invalid digest: " + e.getMessage());
      }
      JsonNode annotations = node.path("annotations");
      Optional<String> name = text(annotations, IMAGE_NAME);
      if (name.isEmpty()) {
        name = text(annotations, REF_NAME).filter(ref -> ref.matches(".*[/:@].*"));
      }
      entries.add(
          new Entry(node.path("mediaType").asText(""), digest, node.path("size").asLong(-1), name));
    }
    return entries;
  }

  private static Optional<String> text(JsonNode annotations, String key) {
    JsonNode value = annotations.get(key);
    return value != null && value.isTextual() && !value.asText().isBlank()
        ? Optional.of(value.asText())
        : Optional.empty();
  }

  private static JsonNode parseJson(byte[] content, String file) {
    try {
      JsonNode root = Json.MAPPER.readTree(content);
      if (root == null || !root.isObject()) {
        throw new BundleException("bundle's " + file + " is not a JSON object");
      }
      return root;
    } catch (IOException e) {
      throw new BundleException("bundle's " + file + " is not valid JSON");
    }
  }
}
