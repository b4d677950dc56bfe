package dev.stevedore.server.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.core.json.Json;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Stevedore's own description of a bundle, the tar entry {@value #FILE}: what it holds (each
 * image's name, top digest, platforms and size) and, for an incremental bundle, which bundle files
 * it builds on ({@code buildsOn}: the sha256 of each whole file) and which blobs it leaves out
 * because a base holds them ({@code omitted}). It sits beside {@code index.json}, never inside it,
 * so a full bundle stays a plain OCI image layout for {@code ctr} and skopeo; and its exact bytes
 * are what a signature covers together with {@code index.json}'s.
 */
public record BundleRecord(
    int format, List<Image> images, List<Digest> buildsOn, List<Digest> omitted) {
  public static final String FILE = "stevedore-bundle.json";
  public static final int FORMAT = 1;
  static final int MAX_BYTES = 16 * 1024 * 1024;

  public BundleRecord {
    images = List.copyOf(images);
    buildsOn = List.copyOf(buildsOn);
    omitted = List.copyOf(omitted);
  }

  /**
   * One image: its full name, top manifest digest, platforms ({@code os/arch[/variant]}), bytes.
   */
  public record Image(String name, Digest digest, List<String> platforms, long size) {
    public Image {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(digest, "digest");
      platforms = List.copyOf(platforms);
    }
  }

  /** Whether the bundle leaves blobs out, so that only Stevedore's import can read it. */
  public boolean incremental() {
    return !buildsOn.isEmpty() || !omitted.isEmpty();
  }

  /** The record as the bundle holds it: compact JSON, fields in a fixed order. */
  public byte[] toJson() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("format", format);
    List<Map<String, Object>> list = new ArrayList<>();
    for (Image image : images) {
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("name", image.name());
      node.put("digest", image.digest().toString());
      node.put("platforms", image.platforms());
      node.put("size", image.size());
      list.add(node);
    }
    root.put("images", list);
    root.put("buildsOn", buildsOn.stream().map(Digest::toString).toList());
    root.put("omitted", omitted.stream().map(Digest::toString).toList());
    try {
      return Json.MAPPER.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + FILE, e);
    }
  }

  /**
   * Parses a record.
   *
   * @throws BundleException if it is not a record of a format this version reads
   */
  public static BundleRecord parse(byte[] json) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new BundleException("bundle's " + FILE + " is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new BundleException("bundle's " + FILE + " is not a JSON object");
    }
    int format = root.path("format").asInt(-1);
    if (format != FORMAT) {
      throw new BundleException(
          "bundle's "
              + FILE
              + " has format "
              + root.path("format")
              + "; only "
              + FORMAT
              + " is read");
    }
    List<Image> images = new ArrayList<>();
    for (JsonNode node : array(root, "images")) {
      List<String> platforms = new ArrayList<>();
      for (JsonNode platform : array(node, "platforms")) {
        platforms.add(platform.asText());
      }
      images.add(
          new Image(
              node.path("name").asText(""),
              digest(node.path("digest")),
              platforms,
              node.path("size").asLong(-1)));
    }
    return new BundleRecord(format, images, digests(root, "buildsOn"), digests(root, "omitted"));
  }

  private static List<Digest> digests(JsonNode root, String field) {
    List<Digest> digests = new ArrayList<>();
    for (JsonNode node : array(root, field)) {
      digests.add(digest(node));
    }
    return digests;
  }

  private static Iterable<JsonNode> array(JsonNode parent, String field) {
    JsonNode node = parent.path(field);
    if (node.isMissingNode()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new BundleException("bundle's " + FILE + " has no " + field + " array");
    }
    return node;
  }

  private static Digest digest(JsonNode node) {
    try {
      return Digest.parse(node.asText(""));
    } catch (IllegalArgumentException e) {
      throw new BundleException("bundle's " + FILE + " has an invalid digest: " + e.getMessage());
    }
  }
}
