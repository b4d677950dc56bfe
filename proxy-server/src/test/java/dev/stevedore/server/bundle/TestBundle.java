package dev.stevedore.server.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.storage.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds OCI image-layout bundles by hand for the tests: blobs of random bytes, image manifests,
 * indexes, and the tar itself, with knobs to leave things out or damage them.
 */
final class TestBundle {
  static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Random random;
  private final Map<Digest, byte[]> blobs = new LinkedHashMap<>();
  private final List<Map<String, Object>> index = new ArrayList<>();
  private boolean indexFirst = true;

  TestBundle(long seed) {
    this.random = new Random(seed);
  }

  /** A blob (in the bundle unless removed) of {@code size} random bytes. */
  Blob blob(String mediaType, int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return add(mediaType, bytes);
  }

  /** An OCI image manifest with a config and {@code layers} layers of the given size. */
  Image image(int layers, int layerSize) {
    Blob config =
        add(
            OCI_CONFIG,
            json(Map.of("architecture", "amd64", "os", "linux", "n", random.nextLong())));
    List<Blob> layerBlobs = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      layerBlobs.add(blob(OCI_LAYER, layerSize));
    }
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
    manifest.put("config", config.descriptor());
    manifest.put("layers", layerBlobs.stream().map(Blob::descriptor).toList());
    return new Image(add(MediaTypes.OCI_MANIFEST, json(manifest)), config, layerBlobs);
  }

  /** An OCI index of the given image manifests. */
  Blob index(Image... images) {
    List<Map<String, Object>> manifests = new ArrayList<>();
    for (Image image : images) {
      Map<String, Object> descriptor = image.manifest().descriptor();
      descriptor.put("platform", Map.of("os", "linux", "architecture", "arch" + manifests.size()));
      manifests.add(descriptor);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("schemaVersion", 2);
    body.put("mediaType", MediaTypes.OCI_INDEX);
    body.put("manifests", manifests);
    return add(MediaTypes.OCI_INDEX, json(body));
  }

  /** Names {@code top} in index.json with both annotations. */
  TestBundle name(Blob top, String name) {
    Map<String, Object> descriptor = top.descriptor();
    descriptor.put("annotations", Map.of(OciLayout.IMAGE_NAME, name, OciLayout.REF_NAME, name));
    index.add(descriptor);
    return this;
  }

  /** Lists {@code top} in index.json with the given annotations only. */
  TestBundle entry(Blob top, Map<String, String> annotations) {
    Map<String, Object> descriptor = top.descriptor();
    if (!annotations.isEmpty()) {
      descriptor.put("annotations", annotations);
    }
    index.add(descriptor);
    return this;
  }

  /** Leaves a blob out of the tar. */
  TestBundle without(Blob blob) {
    blobs.remove(blob.digest());
    return this;
  }

  /** Writes index.json after the blobs instead of before. */
  TestBundle indexLast() {
    indexFirst = false;
    return this;
  }

  byte[] indexJson() {
    return json(Map.of("schemaVersion", 2, "mediaType", MediaTypes.OCI_INDEX, "manifests", index));
  }

  /** The tar, as bytes. */
  byte[] tar() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TarWriter tar = new TarWriter(Channels.newChannel(out), 0);
    tar.add(OciLayout.LAYOUT_FILE, OciLayout.layoutFile());
    if (indexFirst) {
      tar.add(OciLayout.INDEX_FILE, indexJson());
    }
    for (Map.Entry<Digest, byte[]> blob : blobs.entrySet()) {
      tar.add(OciLayout.blobPath(blob.getKey()), blob.getValue());
    }
    if (!indexFirst) {
      tar.add(OciLayout.INDEX_FILE, indexJson());
    }
    tar.finish();
    return out.toByteArray();
  }

  Path write(Path file) throws IOException {
    return Files.write(file, tar());
  }

  /** The tar with one byte of {@code blob}'s content flipped. */
  byte[] tarWithFlippedByte(Blob blob) throws IOException {
    byte[] tar = tar();
    int at = indexOf(tar, blob.bytes());
    tar[at + blob.bytes().length / 2] ^= 0x01;
    return tar;
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("not found");
  }

  private Blob add(String mediaType, byte[] bytes) {
    Blob blob = new Blob(mediaType, bytes);
    blobs.put(blob.digest(), bytes);
    return blob;
  }

  static byte[] json(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  record Blob(String mediaType, byte[] bytes) {
    Digest digest() {
      return Digest.sha256(bytes);
    }

    Map<String, Object> descriptor() {
      Map<String, Object> descriptor = new LinkedHashMap<>();
      descriptor.put("mediaType", mediaType);
      descriptor.put("digest", digest().toString());
      descriptor.put("size", bytes.length);
      return descriptor;
    }

    String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  record Image(Blob manifest, Blob config, List<Blob> layers) {
    List<Blob> all() {
      List<Blob> all = new ArrayList<>();
      all.add(manifest);
      all.add(config);
      all.addAll(layers);
      return all;
    }
  }
}
