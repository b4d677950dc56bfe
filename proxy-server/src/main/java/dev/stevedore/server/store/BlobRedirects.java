package dev.stevedore.server.store;

import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;

/**
 * Where a client can fetch a blob itself, with {@code --blob-redirect}: a short-lived presigned URL
 * of the shared store's copy, so the bytes flow from the store and not through this server. The URL
 * carries a signature, never the store's credentials.
 */
@FunctionalInterface
public interface BlobRedirects {
  /**
   * The URL of the store's copy of {@code digest}; empty when the store does not hold it. Blocking
   * (one {@code HEAD}): call it off the event loop.
   */
  Optional<URI> locate(Digest digest) throws IOException;
}
