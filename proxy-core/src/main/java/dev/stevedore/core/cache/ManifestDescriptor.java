package dev.stevedore.core.cache;

import dev.stevedore.storage.Digest;
import java.util.Objects;

/**
 * What a client needs to answer a manifest HEAD: digest, media type and size. How the cache came by
 * it for one request is reported beside it ({@link Served}).
 */
public record ManifestDescriptor(Digest digest, String mediaType, long size) {
  public ManifestDescriptor {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(mediaType, "mediaType");
  }
}
