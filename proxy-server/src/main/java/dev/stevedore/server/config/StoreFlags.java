package dev.stevedore.server.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The store flags of {@code serve} as written; empty means not given. {@code blobRedirect} is empty
 * unless {@code --blob-redirect} or {@code --no-blob-redirect} was given, so either can override
 * the file.
 */
public record StoreFlags(
    Optional<String> store,
    Optional<String> s3Endpoint,
    Optional<String> s3Region,
    Optional<String> s3PublicEndpoint,
    Optional<Boolean> blobRedirect,
    Optional<String> maxStoreSize) {

  /** No store flag given. */
  public static final StoreFlags NONE =
      new StoreFlags(
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty());

  public StoreFlags {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(s3Endpoint, "s3Endpoint");
    Objects.requireNonNull(s3Region, "s3Region");
    Objects.requireNonNull(s3PublicEndpoint, "s3PublicEndpoint");
    Objects.requireNonNull(blobRedirect, "blobRedirect");
    Objects.requireNonNull(maxStoreSize, "maxStoreSize");
  }
}
