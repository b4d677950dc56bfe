package dev.stevedore.core.cache;

import dev.stevedore.storage.BlobReader;
import java.util.Objects;

/**
 * A blob already committed to the store, opened for this request: send it as it is, then {@link
 * #close()} it (the open reader keeps the bytes until then, whatever eviction does).
 */
public record StoredBlob(BlobReader reader) implements BlobSource, AutoCloseable {
  public StoredBlob {
    Objects.requireNonNull(reader, "reader");
  }

  public long size() {
    return reader.size();
  }

  @Override
  public void close() {
    reader.close();
  }
}
