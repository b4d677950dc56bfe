package dev.stevedore.core.model;

import dev.stevedore.storage.Digest;
import java.util.Objects;
import java.util.Optional;

/** A content descriptor inside a manifest: media type, digest, size and, in an index, platform. */
public record Descriptor(String mediaType, Digest digest, long size, Optional<Platform> platform) {
  public Descriptor {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(platform, "platform");
  }
}
