package dev.stevedore.storage;

import java.io.IOException;

/**
 * The object store did not do what was asked: it could not be reached, refused the request or
 * failed it. Distinct from other I/O failures so a server can say that its shared store is
 * unavailable (a {@code 503}), not that the request was wrong or the cache is broken.
 */
public final class ObjectStoreException extends IOException {
  private static final long serialVersionUID = 1L;

  public ObjectStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
