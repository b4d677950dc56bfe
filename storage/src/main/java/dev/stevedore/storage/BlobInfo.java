package dev.stevedore.storage;

import java.nio.file.Path;
import java.util.Objects;

/** A committed blob: its digest, its size in bytes and the file that holds exactly those bytes. */
public record BlobInfo(Digest digest, long size, Path path) {
  public BlobInfo {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(path, "path");
    if (size < 0) {
      throw new IllegalArgumentException("negative size");
    }
  }
}
