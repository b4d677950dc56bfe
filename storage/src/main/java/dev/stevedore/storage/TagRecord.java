package dev.stevedore.storage;

import java.time.Instant;
import java.util.Objects;

/** What a tag pointed to, with its manifest media type, when last confirmed upstream. */
public record TagRecord(Digest digest, String mediaType, Instant confirmedAt) {
  public TagRecord {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(confirmedAt, "confirmedAt");
  }
}
