package dev.stevedore.storage;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** What a tag pointed to, with its manifest media type, when last confirmed upstream. */
public record TagRecord(Digest digest, String mediaType, Instant confirmedAt) {
  public TagRecord {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(confirmedAt, "confirmedAt");
  }

  /** How many fields a stored record has: digest, media type, confirmation time in epoch ms. */
  static final int FIELDS = 3;

  /** The record as its stores keep it, one field a line, whatever the medium. */
  String[] fields() {
    return new String[] {digest.toString(), mediaType, Long.toString(confirmedAt.toEpochMilli())};
  }

  /**
   * The record of stored {@link #fields()}.
   *
   * @throws IllegalArgumentException or {@link DateTimeException} when they do not make a record
   */
  static TagRecord of(List<String> fields) {
    return new TagRecord(
        Digest.parse(fields.get(0)),
        fields.get(1),
        Instant.ofEpochMilli(Long.parseLong(fields.get(2))));
  }
}
