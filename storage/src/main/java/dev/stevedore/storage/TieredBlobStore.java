package dev.stevedore.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared store with the local data directory as its hot tier. Blobs live in the bucket ({@link
 * S3BlobStore}), which every replica sees; the ones used here are also on local disk ({@link
 * IndexedBlobStore}, within {@code --max-cache-size}), from where they are sent zero-copy.
 *
 * <ul>
 *   <li><b>Read</b>: a local hit is one open. A blob only the bucket holds is copied into the local
 *       tier by one fill per digest (single flight); every reader meanwhile reads the fill's
 *       growing local file, as readers of an upstream download do, and the fill verifies the digest
 *       again, so a bucket holding wrong bytes never serves them (the object is deleted).
 *   <li><b>Write</b>: an upstream download is written to the local tier and uploaded to the bucket
 *       part by part as it arrives ({@link S3BlobWriter.Spool#LOCAL_TIER}); it becomes visible in
 *       the bucket only once verified and completely written. A failing store leaves the blob local
 *       only.
 *   <li><b>Store down</b>: local hits are served; a lookup that has to ask the bucket fails with
 *       {@link ObjectStoreException} (a server answers {@code 503}), never a silent miss that would
 *       send every client upstream.
 * </ul>
 *
 * <p>Blocking, as every {@link BlobStore}; fills run on {@code fills}.
 */
public final class TieredBlobStore implements BlobStore {
  private static final Logger log = LoggerFactory.getLogger(TieredBlobStore.class);
  private static final int COPY_BUFFER = 256 * 1024;

  private final IndexedBlobStore local;
  private final S3BlobStore shared;
  private final Executor fills;
  private final Consumer<Digest> pulls;

  /** Fills by digest: the writer of the local copy, or empty when the bucket had no such blob. */
  private final ConcurrentHashMap<Digest, CompletableFuture<Optional<BlobWriter>>> filling =
      new ConcurrentHashMap<>();

  /**
   * The local tier in front of the bucket; blobs are copied in on {@code fills}, and every blob
   * opened or used from memory is told to {@code pulls} (in memory: {@link StorePulls}), which the
   * bucket's budget evicts by.
   */
  public TieredBlobStore(
      IndexedBlobStore local, S3BlobStore shared, Executor fills, Consumer<Digest> pulls) {
    this.local = Objects.requireNonNull(local, "local");
    this.shared = Objects.requireNonNull(shared, "shared");
    this.fills = Objects.requireNonNull(fills, "fills");
    this.pulls = Objects.requireNonNull(pulls, "pulls");
  }

  /** The local tier. */
  public IndexedBlobStore local() {
    return local;
  }

  /** The bucket. */
  public S3BlobStore shared() {
    return shared;
  }

  @Override
  public Optional<BlobReader> open(Digest digest) throws IOException {
    Optional<BlobReader> reader = openEitherTier(digest);
    if (reader.isPresent()) {
      pulls.accept(digest);
    }
    return reader;
  }

  private Optional<BlobReader> openEitherTier(Digest digest) throws IOException {
    Optional<BlobReader> hot = local.open(digest);
    if (hot.isPresent()) {
      return hot;
    }
    CompletableFuture<Optional<BlobWriter>> mine = new CompletableFuture<>();
    CompletableFuture<Optional<BlobWriter>> existing = filling.putIfAbsent(digest, mine);
    if (existing != null) {
      Optional<BlobWriter> fill = await(existing, digest);
      // No fill: the bucket has no such blob, or it was just committed locally.
      return fill.isPresent() ? readerOf(fill.get(), digest) : local.open(digest);
    }
    try {
      Optional<BlobReader> reader = startFill(digest, mine);
      if (reader.isEmpty()) {
        filling.remove(digest, mine);
        mine.complete(Optional.empty());
      }
      return reader;
    } catch (IOException | RuntimeException e) {
      filling.remove(digest, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  @Override
  public Optional<BlobInfo> stat(Digest digest) throws IOException {
    Optional<BlobInfo> hot = local.stat(digest);
    if (hot.isPresent()) {
      return hot;
    }
    CompletableFuture<Optional<BlobWriter>> fill = filling.get(digest);
    if (fill != null && fill.isDone() && !fill.isCompletedExceptionally()) {
      Optional<BlobWriter> writer = fill.join();
      if (writer.isPresent()) {
        try (BlobReader reader = writer.get().openReader()) {
          return Optional.of(new BlobInfo(digest, reader.size()));
        } catch (NoSuchFileException committedThenEvicted) {
          return local.stat(digest);
        }
      }
    }
    return shared.stat(digest);
  }

  /** Writes to the local tier and uploads to the bucket as it arrives. */
  @Override
  public BlobWriter create(Digest expected, long size) throws IOException {
    BlobWriter localWriter = local.create(expected, size);
    return shared.createOver(localWriter);
  }

  /** Into the local tier only: the peer that downloads it uploads it to the bucket. */
  @Override
  public BlobWriter createLocalCopy(Digest expected, long size) throws IOException {
    return local.create(expected, size);
  }

  @Override
  public void recordUse(Digest digest, long size) {
    local.recordUse(digest, size);
    pulls.accept(digest);
  }

  /** The local tier must be writable; the bucket is checked at start and watched while serving. */
  @Override
  public void checkWritable() throws IOException {
    local.checkWritable();
  }

  /** Deletes from both tiers. */
  @Override
  public boolean delete(Digest digest) throws IOException {
    boolean fromLocal = local.delete(digest);
    boolean fromShared = shared.delete(digest);
    return fromLocal || fromShared;
  }

  /** Number of blobs being copied from the bucket into the local tier. */
  public int fillsInFlight() {
    return filling.size();
  }

  /**
   * Opens the bucket's copy and starts copying it into the local tier, completing {@code claim}
   * with the local writer; empty when the bucket does not hold the blob.
   */
  private Optional<BlobReader> startFill(
      Digest digest, CompletableFuture<Optional<BlobWriter>> claim) throws IOException {
    Optional<BlobReader> opened = shared.open(digest);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    BlobReader remote = opened.get();
    BlobWriter writer = null;
    try {
      writer = local.create(digest, remote.size());
      BlobReader reader = writer.openReader();
      BlobWriter filled = writer;
      fills.execute(() -> fill(digest, remote, filled, claim));
      claim.complete(Optional.of(writer));
      return Optional.of(reader);
    } catch (IOException | RuntimeException e) {
      if (writer != null) {
        writer.cancel();
      }
      remote.close();
      if (e instanceof RejectedExecutionException) {
        throw new IOException("shutting down: cannot copy blob " + digest + " from the store", e);
      }
      throw e;
    }
  }

  private static Optional<BlobWriter> await(
      CompletableFuture<Optional<BlobWriter>> fill, Digest digest) throws IOException {
    try {
      return fill.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException("cannot copy blob " + digest + " from the store", e.getCause());
    }
  }

  /** A reader of a fill; when it committed and was evicted since, the local tier's answer. */
  private Optional<BlobReader> readerOf(BlobWriter fill, Digest digest) throws IOException {
    try {
      return Optional.of(fill.openReader());
    } catch (NoSuchFileException committedThenEvicted) {
      return openEitherTier(digest);
    }
  }

  private void fill(
      Digest digest,
      BlobReader remote,
      BlobWriter writer,
      CompletableFuture<Optional<BlobWriter>> claim) {
    try (remote) {
      ByteBuffer buffer = ByteBuffer.allocate(COPY_BUFFER);
      long position = 0;
      while (position < remote.size()) {
        buffer.clear();
        int read = remote.read(buffer, position);
        if (read <= 0) {
          throw new IOException("the store's copy of " + digest + " ended at byte " + position);
        }
        buffer.flip();
        writer.write(buffer);
        position += read;
      }
      writer.commit();
      log.debug("Copied blob {} ({} bytes) from the store into the local tier", digest, position);
    } catch (DigestMismatchException e) {
      log.error(
          "The store holds wrong bytes for {}; deleting its copy: {}", digest, e.getMessage());
      deleteFromStore(digest);
    } catch (IOException | RuntimeException e) {
      log.warn("Cannot copy blob {} from the store: {}", digest, e.toString());
    } finally {
      writer.cancel();
      filling.remove(digest, claim);
    }
  }

  private void deleteFromStore(Digest digest) {
    try {
      shared.delete(digest);
    } catch (IOException e) {
      log.warn("Cannot delete the store's wrong copy of {}: {}", digest, e.toString());
    }
  }

  @Override
  public String toString() {
    return "TieredBlobStore[" + local + " in front of " + shared + "]";
  }
}
