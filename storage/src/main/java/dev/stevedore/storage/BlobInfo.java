package dev.stevedore.storage;

import java.util.Objects;

/**
 * A committed blob: its digest and its size in bytes. Where the bytes are stays inside the store;
 * read them through {@link BlobStore#open}.
 */
public record BlobInfo(Digest digest, long size) {
  public BlobInfo {
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("negative size");
    }
  }
}
