package dev.stevedore.core.cache;

import dev.stevedore.storage.Digest;
import java.util.Objects;

/**
 * What a client needs to answer a manifest HEAD: digest, media type and size, with how the cache
 * came by it. A {@link CacheOutcome#STALE} answer was served because the upstream could not confirm
 * it.
 */
public record ManifestDescriptor(Digest digest, String mediaType, long size, CacheOutcome outcome) {
  public ManifestDescriptor {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(outcome, "outcome");
  }

  public boolean stale() {
    return outcome == CacheOutcome.STALE;
  }

  public ManifestDescriptor withOutcome(CacheOutcome newOutcome) {
    return new ManifestDescriptor(digest, mediaType, size, newOutcome);
  }
}
