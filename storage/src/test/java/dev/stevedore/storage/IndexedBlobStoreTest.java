package dev.stevedore.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.io.TempDir;

/** An indexed store with room to spare behaves like any other store. */
class IndexedBlobStoreTest extends BlobStoreContract {

  @TempDir Path root;

  @Override
  protected BlobStore newStore() throws IOException {
    return IndexedBlobStore.open(root, OptionalLong.of(1L << 40), EvictionListener.NONE);
  }
}
