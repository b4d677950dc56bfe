package dev.stevedore.server.it.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates test images in memory from a seeded {@link Random}: gzip'd one-file tar layers of
 * random bytes, a config per platform, image manifests, and OCI indexes / Docker manifest lists.
 *
 * <p>Every call makes new, distinct content. Defaults: 2 layers per platform, each 256 KiB to 1 MiB
 * of (incompressible) content.
 */
public final class TestImages {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Random random;
  private int layersPerPlatform = 2;
  private int minLayerBytes = 256 * 1024;
  private int maxLayerBytes = 1024 * 1024;

  public TestImages(long seed) {
    this.random = new Random(seed);
  }

  public TestImages() {
    this(System.nanoTime());
  }

  public TestImages layersPerPlatform(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("at least one layer: " + count);
    }
    this.layersPerPlatform = count;
    return this;
  }

  /** The size range of a layer's uncompressed file content (gzip barely shrinks random bytes). */
  public TestImages layerSizes(int minBytes, int maxBytes) {
    if (minBytes < 0 || maxBytes < minBytes) {
      throw new IllegalArgumentException("bad layer size range " + minBytes + ".." + maxBytes);
    }
    this.minLayerBytes = minBytes;
    this.maxLayerBytes = maxBytes;
    return this;
  }

  /** A two-platform (linux/amd64, linux/arm64) OCI image index of OCI image manifests. */
  public synchronized TestImage ociIndex() {
    return multiPlatform(ImageFormat.OCI, Platform.LINUX_AMD64, Platform.LINUX_ARM64);
  }

  /** A two-platform (linux/amd64, linux/arm64) Docker manifest list of schema-2 manifests. */
  public synchronized TestImage dockerManifestList() {
    return multiPlatform(ImageFormat.DOCKER, Platform.LINUX_AMD64, Platform.LINUX_ARM64);
  }

  /** A single-platform (linux/amd64) Docker schema-2 image. */
  public synchronized TestImage dockerImage() {
    return singlePlatform(ImageFormat.DOCKER, Platform.LINUX_AMD64);
  }

  /** A single-platform (linux/amd64) OCI image. */
  public synchronized TestImage ociImage() {
    return singlePlatform(ImageFormat.OCI, Platform.LINUX_AMD64);
  }

  public synchronized TestImage singlePlatform(ImageFormat format, Platform platform) {
    PlatformImage image = platformImage(format, platform);
    return new TestImage(format, image.manifest(), List.of(image));
  }

  public synchronized TestImage multiPlatform(ImageFormat format, Platform... platforms) {
    List<PlatformImage> images = new ArrayList<>();
    List<Map<String, Object>> descriptors = new ArrayList<>();
    for (Platform platform : platforms) {
      PlatformImage image = platformImage(format, platform);
      images.add(image);
      Map<String, Object> descriptor = image.manifest().descriptor();
      Map<String, Object> platformJson = new LinkedHashMap<>();
      platformJson.put("architecture", platform.architecture());
      platformJson.put("os", platform.os());
      descriptor.put("platform", platformJson);
      descriptors.add(descriptor);
    }
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2);
    index.put("mediaType", format.indexType());
    index.put("manifests", descriptors);
    return new TestImage(format, Blob.of(format.indexType(), json(index)), images);
  }

  /** A gzip'd tar layer of the given media type with {@code contentBytes} random bytes inside. */
  public synchronized Blob layer(String mediaType, int contentBytes) {
    return Blob.of(mediaType, randomLayer(contentBytes).gzip());
  }

  private PlatformImage platformImage(ImageFormat format, Platform platform) {
    List<Blob> layers = new ArrayList<>();
    List<String> diffIds = new ArrayList<>();
    for (int i = 0; i < layersPerPlatform; i++) {
      int size = minLayerBytes + random.nextInt(maxLayerBytes - minLayerBytes + 1);
      LayerContent content = randomLayer(size);
      layers.add(Blob.of(format.layerType(), content.gzip()));
      diffIds.add(Blob.sha256(content.tar()));
    }

    Map<String, Object> rootfs = new LinkedHashMap<>();
    rootfs.put("type", "layers");
    rootfs.put("diff_ids", diffIds);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("architecture", platform.architecture());
    config.put("os", platform.os());
    config.put("created", "2024-01-01T00:00:00Z");
    config.put("config", Map.of("Labels", Map.of("dev.stevedore.test.nonce", nonce())));
    config.put("rootfs", rootfs);
    Blob configBlob = Blob.of(format.configType(), json(config));

    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", format.manifestType());
    manifest.put("config", configBlob.descriptor());
    manifest.put("layers", layers.stream().map(Blob::descriptor).toList());
    return new PlatformImage(
        platform, Blob.of(format.manifestType(), json(manifest)), configBlob, layers);
  }

  private LayerContent randomLayer(int contentBytes) {
    byte[] content = new byte[contentBytes];
    random.nextBytes(content);
    return LayerContent.of("data-" + nonce() + ".bin", content);
  }

  private String nonce() {
    byte[] nonce = new byte[8];
    random.nextBytes(nonce);
    return HexFormat.of().formatHex(nonce);
  }

  private static byte[] json(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
