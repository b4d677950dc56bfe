package dev.stevedore.core.cache;

import dev.stevedore.storage.BlobInfo;
import java.util.Objects;

/** A blob already committed to the store: send the file as it is. */
public record StoredBlob(BlobInfo info) implements BlobSource {
  public StoredBlob {
    Objects.requireNonNull(info, "info");
  }
}
