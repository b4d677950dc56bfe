package dev.stevedore.server.it.support;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A generated image: its top-level {@code manifest} (an OCI index / Docker manifest list for a
 * multi-platform image, else the image manifest itself) and every platform's image.
 */
public record TestImage(ImageFormat format, Blob manifest, List<PlatformImage> platforms) {

  public TestImage {
    platforms = List.copyOf(platforms);
  }

  /** The digest of the top-level manifest, what a pull by tag resolves to. */
  public String digest() {
    return manifest.digest();
  }

  /** Whether the top-level manifest is an index / manifest list. */
  public boolean isMultiPlatform() {
    return manifest.mediaType().equals(format.indexType());
  }

  /** The platform manifests an index / list references; empty for a single-platform image. */
  public List<Blob> childManifests() {
    return isMultiPlatform() ? platforms.stream().map(PlatformImage::manifest).toList() : List.of();
  }

  /** Every config and layer blob of every platform, without duplicates. */
  public List<Blob> blobs() {
    LinkedHashSet<Blob> blobs = new LinkedHashSet<>();
    platforms.forEach(platform -> blobs.addAll(platform.blobs()));
    return List.copyOf(blobs);
  }

  /** Sum of the sizes of {@link #blobs()}. */
  public long blobBytes() {
    return blobs().stream().mapToLong(Blob::size).sum();
  }

  public PlatformImage platform(Platform platform) {
    return platforms.stream()
        .filter(image -> image.platform().equals(platform))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no " + platform + " image in " + this));
  }

  @Override
  public String toString() {
    return "TestImage["
        + manifest.mediaType()
        + " "
        + manifest.digest()
        + ", platforms="
        + platforms.stream().map(PlatformImage::platform).toList()
        + "]";
  }
}
