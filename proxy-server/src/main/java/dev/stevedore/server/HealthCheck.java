package dev.stevedore.server;

import dev.stevedore.core.cache.Futures;
import dev.stevedore.server.config.ByteSize;
import dev.stevedore.storage.BlobStore;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Readiness: the cache can take new blobs — its storage is writable and its file system has room
 * left — and the server is not shutting down. A full disk still lets a tiny probe file be written
 * (or root's reserved blocks do), so free space is checked on its own.
 */
public final class HealthCheck {

  /**
   * Below this much free space the cache is not ready: a blob download would fail part way. 64 MiB
   * holds a typical layer's worth of temp file plus the metadata written beside it.
   */
  public static final long MIN_FREE_BYTES = 64L * 1024 * 1024;

  /** Bytes the data directory's file system still has for this process. */
  @FunctionalInterface
  public interface FreeSpace {
    /** No file system to check (stores in memory, tests). */
    FreeSpace UNCHECKED = () -> Long.MAX_VALUE;

    long usableBytes() throws IOException;

    /** The usable space of the file system holding {@code dir} (one syscall per reading). */
    static FreeSpace of(Path dir) {
      Objects.requireNonNull(dir, "dir");
      return () -> {
        FileStore store = Files.getFileStore(dir);
        return store.getUsableSpace();
      };
    }
  }

  private final BlobStore blobs;
  private final Executor disk;
  private final FreeSpace freeSpace;
  private final long minFreeBytes;
  private final AtomicBoolean shuttingDown = new AtomicBoolean();
  private volatile Supplier<Optional<String>> store = Optional::empty;

  /** Without a free-space check. */
  public HealthCheck(BlobStore blobs, Executor disk) {
    this(blobs, disk, FreeSpace.UNCHECKED, MIN_FREE_BYTES);
  }

  /**
   * Not ready when {@code freeSpace} reports less than {@code minFreeBytes}; it is read on {@code
   * disk}, never on the caller's (event loop) thread.
   */
  public HealthCheck(BlobStore blobs, Executor disk, FreeSpace freeSpace, long minFreeBytes) {
    this.blobs = Objects.requireNonNull(blobs, "blobs");
    this.disk = Objects.requireNonNull(disk, "disk");
    this.freeSpace = Objects.requireNonNull(freeSpace, "freeSpace");
    this.minFreeBytes = minFreeBytes;
  }

  /**
   * Also not ready while {@code problem} names one: the shared store's health, read without
   * blocking (it is checked on a thread of its own).
   */
  public HealthCheck requiringStore(Supplier<Optional<String>> problem) {
    this.store = Objects.requireNonNull(problem, "problem");
    return this;
  }

  /** Why the server is not ready, or empty when it is. Probes the disk off the event loop. */
  public CompletableFuture<Optional<String>> notReadyBecause() {
    if (shuttingDown.get()) {
      return CompletableFuture.completedFuture(Optional.of("shutting down"));
    }
    Optional<String> storeProblem = store.get();
    if (storeProblem.isPresent()) {
      return CompletableFuture.completedFuture(storeProblem);
    }
    return Futures.supplyBlocking(this::probeStorage, disk)
        .exceptionally(error -> Optional.of("storage not writable: " + Futures.unwrap(error)));
  }

  /** On the disk executor: free space first (cheap), then a write. */
  private Optional<String> probeStorage() throws IOException {
    long free = freeSpace.usableBytes();
    if (free < minFreeBytes) {
      return Optional.of(
          "disk full: "
              + ByteSize.format(free)
              + " free in the data directory's file system, at least "
              + ByteSize.format(minFreeBytes)
              + " needed");
    }
    blobs.checkWritable();
    return Optional.empty();
  }

  public void startShutdown() {
    shuttingDown.set(true);
  }

  public boolean isShuttingDown() {
    return shuttingDown.get();
  }
}
