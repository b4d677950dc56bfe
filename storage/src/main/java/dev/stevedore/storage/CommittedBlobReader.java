package dev.stevedore.storage;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What every reader of a committed blob shares, wherever its bytes are: the size is known, every
 * byte is readable and verified, nothing is awaited. Subclasses say how the bytes are read.
 */
abstract class CommittedBlobReader implements BlobReader {
  private static final CompletionStage<Void> NOW = CompletableFuture.completedStage(null);

  private final Digest digest;
  private final long size;

  CommittedBlobReader(Digest digest, long size) {
    this.digest = Objects.requireNonNull(digest, "digest");
    this.size = size;
  }

  @Override
  public final Digest digest() {
    return digest;
  }

  @Override
  public final long size() {
    return size;
  }

  @Override
  public final long readable() {
    return size;
  }

  @Override
  public final boolean verified() {
    return true;
  }

  @Override
  public final boolean failed() {
    return false;
  }

  @Override
  public final CompletionStage<Void> awaitReadable(long position) {
    return NOW;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + digest + ", " + size + " bytes]";
  }
}
