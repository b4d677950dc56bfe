package dev.stevedore.core.cache;

import dev.stevedore.storage.Digest;
import java.util.Objects;

/**
 * What a client needs to answer a manifest HEAD: digest, media type and size. {@code stale} says
 * the cached answer was served because the upstream could not confirm it.
 */
public record ManifestDescriptor(Digest digest, String mediaType, long size, boolean stale) {
  public ManifestDescriptor {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(mediaType, "mediaType");
  }

  ManifestDescriptor asStale() {
    return new ManifestDescriptor(digest, mediaType, size, true);
  }
}
