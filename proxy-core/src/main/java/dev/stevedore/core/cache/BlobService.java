package dev.stevedore.core.cache;

import static dev.stevedore.core.cache.Futures.supplyBlocking;

import dev.stevedore.core.metrics.CacheMetrics;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.upstream.BlobDownload;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.DigestMismatchException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Blobs through the cache: a stored blob is served from its file; a miss starts one upstream
 * download per digest, which every concurrent request for that digest (from any repository) reads
 * as it grows. The blob becomes visible only after its digest verified.
 */
public final class BlobService {
  /** How long an upstream may stall mid-body by default. */
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);

  private final BlobStore store;
  private final Executor disk;
  private final Executor fetch;
  private final CacheMetrics metrics;
  private final Duration stallTimeout;
  private final MinimumRate minimumRate;
  private final Map<Digest, BlobFetch> downloading = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Digest, CompletableFuture<BlobSource>> inFlight =
      new ConcurrentHashMap<>();

  public BlobService(BlobStore store, Executor disk, Executor fetch) {
    this(store, disk, fetch, CacheMetrics.NONE);
  }

  public BlobService(BlobStore store, Executor disk, Executor fetch, CacheMetrics metrics) {
    this(store, disk, fetch, metrics, DEFAULT_STALL_TIMEOUT);
  }

  /**
   * @param stallTimeout how long an upstream may send nothing mid-body before its download is
   *     abandoned (checked by {@link #abandonStalledFetches()})
   */
  public BlobService(
      BlobStore store, Executor disk, Executor fetch, CacheMetrics metrics, Duration stallTimeout) {
    this(store, disk, fetch, metrics, stallTimeout, MinimumRate.DEFAULT);
  }

  /**
   * @param minimumRate the slowest a download may go before it is abandoned (also checked by {@link
   *     #abandonStalledFetches()})
   */
  public BlobService(
      BlobStore store,
      Executor disk,
      Executor fetch,
      CacheMetrics metrics,
      Duration stallTimeout,
      MinimumRate minimumRate) {
    this.minimumRate = Objects.requireNonNull(minimumRate, "minimumRate");
    this.stallTimeout = Objects.requireNonNull(stallTimeout, "stallTimeout");
    this.store = Objects.requireNonNull(store, "store");
    this.disk = Objects.requireNonNull(disk, "disk");
    this.fetch = Objects.requireNonNull(fetch, "fetch");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  /** The blob's size, from the store, a fetch in flight, or an upstream HEAD (never a download). */
  public CompletableFuture<Long> size(Upstream upstream, RepositoryName repo, Digest digest) {
    CompletableFuture<BlobSource> running = inFlight.get(digest);
    if (running != null
        && running.getNow(null) instanceof BlobFetch started
        && started.contentLength() >= 0) {
      return CompletableFuture.completedFuture(started.contentLength());
    }
    return supplyBlocking(() -> store.stat(digest), disk)
        .thenCompose(
            info ->
                info.isPresent()
                    ? CompletableFuture.completedFuture(info.get().size())
                    : upstream.headBlob(repo, digest).thenApply(head -> head.contentLength()));
  }

  /** The blob's bytes: stored, or a shared download that has received its response headers. */
  public CompletableFuture<BlobSource> open(Upstream upstream, RepositoryName repo, Digest digest) {
    return supplyBlocking(() -> store.stat(digest), disk)
        .thenCompose(
            info ->
                info.isPresent()
                    ? CompletableFuture.completedFuture(new StoredBlob(info.get()))
                    : joinOrStart(upstream, repo, digest));
  }

  /**
   * Abandons downloads whose upstream sent nothing for the stall timeout, or less than the minimum
   * rate in its last window; call it periodically (at least twice a window). Their readers fail and
   * the next request fetches afresh.
   */
  public void abandonStalledFetches() {
    long limit = stallTimeout.toNanos();
    long now = System.nanoTime();
    downloading.values().stream()
        .filter(f -> f.stalledNanos() > limit | f.belowMinimumRate(now))
        .forEach(BlobFetch::abortStalled);
  }

  /** Number of downloads in flight. */
  public int inFlightCount() {
    return inFlight.size();
  }

  private CompletableFuture<BlobSource> joinOrStart(
      Upstream upstream, RepositoryName repo, Digest digest) {
    CompletableFuture<BlobSource> mine = new CompletableFuture<>();
    CompletableFuture<BlobSource> existing = inFlight.putIfAbsent(digest, mine);
    if (existing != null) {
      return existing.copy();
    }
    // A fetch may have committed between our miss and our claim: look once more before going out.
    supplyBlocking(() -> store.stat(digest), disk)
        .thenCompose(
            info -> {
              if (info.isPresent()) {
                inFlight.remove(digest, mine);
                mine.complete(new StoredBlob(info.get()));
                return CompletableFuture.completedFuture(null);
              }
              return upstream
                  .getBlob(repo, digest)
                  .thenAccept(download -> start(upstream.name(), digest, download, mine));
            })
        .exceptionally(
            error -> {
              inFlight.remove(digest, mine);
              mine.completeExceptionally(Futures.unwrap(error));
              return null;
            });
    return mine.copy();
  }

  private void start(
      String upstream, Digest digest, BlobDownload download, CompletableFuture<BlobSource> mine) {
    try {
      fetch.execute(() -> run(upstream, digest, download, mine));
    } catch (RuntimeException rejected) { // shutting down: give the connection back
      download.close();
      throw rejected;
    }
  }

  private void run(
      String upstream, Digest digest, BlobDownload download, CompletableFuture<BlobSource> mine) {
    Runnable release = () -> inFlight.remove(digest, mine);
    BlobFetch running;
    try {
      running = BlobFetch.begin(store, digest, download.contentLength(), minimumRate, release);
    } catch (Exception e) {
      download.close();
      release.run();
      mine.completeExceptionally(e);
      return;
    }
    mine.complete(running);
    downloading.put(digest, running);
    try {
      running.copy(download);
    } finally {
      downloading.remove(digest, running);
    }
    metrics.upstreamBytes(upstream, running.available());
    if (running.done().isCompletedExceptionally()
        && running.done().handle((ok, error) -> Futures.unwrap(error)).join()
            instanceof DigestMismatchException) {
      metrics.digestMismatch(upstream);
    }
  }
}
