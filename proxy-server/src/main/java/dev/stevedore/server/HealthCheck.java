package dev.stevedore.server;

import dev.stevedore.core.cache.Futures;
import dev.stevedore.storage.BlobStore;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/** Readiness: the cache can take new blobs and the server is not shutting down. */
public final class HealthCheck {
  private final BlobStore blobs;
  private final Executor disk;
  private final AtomicBoolean shuttingDown = new AtomicBoolean();

  public HealthCheck(BlobStore blobs, Executor disk) {
    this.blobs = Objects.requireNonNull(blobs, "blobs");
    this.disk = Objects.requireNonNull(disk, "disk");
  }

  /** Why the server is not ready, or empty when it is. Probes the disk off the event loop. */
  public CompletableFuture<Optional<String>> notReadyBecause() {
    if (shuttingDown.get()) {
      return CompletableFuture.completedFuture(Optional.of("shutting down"));
    }
    return Futures.supplyBlocking(
            () -> {
              blobs.checkWritable();
              return Optional.<String>empty();
            },
            disk)
        .exceptionally(error -> Optional.of("storage not writable: " + Futures.unwrap(error)));
  }

  public void startShutdown() {
    shuttingDown.set(true);
  }

  public boolean isShuttingDown() {
    return shuttingDown.get();
  }
}
