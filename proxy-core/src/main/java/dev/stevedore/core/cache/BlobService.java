package dev.stevedore.core.cache;

import static dev.stevedore.core.cache.Futures.supplyBlocking;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.stevedore.core.cluster.Cluster;
import dev.stevedore.core.metrics.CacheMetrics;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.upstream.BlobDownload;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.storage.BlobInfo;
import dev.stevedore.storage.BlobReader;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.DigestMismatchException;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Blobs through the cache: a stored blob is served from its file; a miss starts one upstream
 * download per upstream and digest, which every concurrent request for that digest through that
 * upstream reads as it grows. The blob becomes visible only after its digest verified.
 *
 * <p>Downloads are shared per upstream, never across upstreams, so a slow or hostile upstream
 * cannot slow another's clients down. Stored, verified bytes are shared by every upstream and
 * repository, but served through a repository only when it has a link to them ({@link
 * RepositoryLinks}): otherwise an upstream {@code HEAD} in that repository's scope confirms it
 * first. Joining a download started through another repository needs the same confirmation.
 */
public final class BlobService {
  /** How long an upstream may stall mid-body by default. */
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);

  private final BlobStore store;
  private final Executor disk;
  private final Executor fetch;
  private final CacheMetrics metrics;
  private final Duration stallTimeout;
  private final RepositoryLinks links;
  private final MinimumRate minimumRate;
  private final Ticker ticker;
  private final ClusterDownloads downloads;
  private final Map<FetchKey, BlobFetch> downloading = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<FetchKey, Claim> inFlight = new ConcurrentHashMap<>();

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
    this(store, disk, fetch, metrics, stallTimeout, MinimumRate.DEFAULT, null);
  }

  /**
   * @param links the repository links shared with the {@link ManifestService} (whose manifests link
   *     their blobs); {@code null} keeps links in memory only
   */
  public BlobService(
      BlobStore store,
      Executor disk,
      Executor fetch,
      CacheMetrics metrics,
      Duration stallTimeout,
      RepositoryLinks links) {
    this(store, disk, fetch, metrics, stallTimeout, MinimumRate.DEFAULT, links);
  }

  /**
   * @param minimumRate the slowest a download may go before it is abandoned (also checked by {@link
   *     #abandonStalledFetches()})
   * @param links the repository links shared with the {@link ManifestService} (whose manifests link
   *     their blobs); {@code null} keeps links in memory only
   */
  public BlobService(
      BlobStore store,
      Executor disk,
      Executor fetch,
      CacheMetrics metrics,
      Duration stallTimeout,
      MinimumRate minimumRate,
      RepositoryLinks links) {
    this(store, disk, fetch, metrics, stallTimeout, minimumRate, links, Ticker.systemTicker());
  }

  /**
   * Like the constructor above, with stalls and the minimum rate timed by {@code ticker}: the
   * system ticker in production, a fake one in tests (so a stall is certain, not waited for).
   */
  public BlobService(
      BlobStore store,
      Executor disk,
      Executor fetch,
      CacheMetrics metrics,
      Duration stallTimeout,
      MinimumRate minimumRate,
      RepositoryLinks links,
      Ticker ticker) {
    this(store, disk, fetch, metrics, stallTimeout, minimumRate, links, ticker, Cluster.SOLO);
  }

  /**
   * Like the constructor above, as a replica of {@code cluster}: a blob another replica is
   * downloading is relayed from it, not fetched again.
   */
  public BlobService(
      BlobStore store,
      Executor disk,
      Executor fetch,
      CacheMetrics metrics,
      Duration stallTimeout,
      MinimumRate minimumRate,
      RepositoryLinks links,
      Ticker ticker,
      Cluster cluster) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.minimumRate = Objects.requireNonNull(minimumRate, "minimumRate");
    this.stallTimeout = Objects.requireNonNull(stallTimeout, "stallTimeout");
    this.store = Objects.requireNonNull(store, "store");
    this.disk = Objects.requireNonNull(disk, "disk");
    this.fetch = Objects.requireNonNull(fetch, "fetch");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.links = links != null ? links : RepositoryLinks.inMemory(null, disk);
    this.downloads = new ClusterDownloads(cluster, store, this.links, disk, fetch, metrics);
  }

  /**
   * Completes when the repository may be served {@code digest}: it has a link (in memory, else in
   * the link store), or the upstream confirms it in the repository's scope; fails otherwise.
   */
  public CompletableFuture<Void> mayServe(Upstream upstream, RepositoryName repo, Digest digest) {
    if (links.cached(upstream.name(), repo, digest)) {
      return CompletableFuture.completedFuture(null);
    }
    return supplyBlocking(() -> links.has(upstream.name(), repo, digest), disk)
        .thenCompose(
            linked ->
                linked
                    ? CompletableFuture.completedFuture(null)
                    : links.confirm(upstream, repo, digest, RepositoryLinks.Kind.BLOB));
  }

  /**
   * The blob's size, from the store, a fetch in flight, or an upstream HEAD (never a download). A
   * stored or in-flight blob the repository has no link to is confirmed upstream first.
   */
  public CompletableFuture<Long> size(Upstream upstream, RepositoryName repo, Digest digest) {
    return size(upstream, repo, digest, false);
  }

  private CompletableFuture<Long> size(
      Upstream upstream, RepositoryName repo, Digest digest, boolean confirmed) {
    FetchKey key = new FetchKey(upstream.name(), digest);
    boolean linked = confirmed || links.cached(upstream.name(), repo, digest);
    OptionalLong announced = announcedLength(key);
    if (linked && announced.isPresent()) {
      return CompletableFuture.completedFuture(announced.getAsLong());
    }
    return supplyBlocking(() -> stat(upstream, repo, digest, linked), disk)
        .thenCompose(
            local -> {
              boolean held = local.info().isPresent() || inFlight.containsKey(key);
              if (held && !local.linked()) {
                return links
                    .confirm(upstream, repo, digest, RepositoryLinks.Kind.BLOB)
                    .thenCompose(ok -> size(upstream, repo, digest, true));
              }
              if (local.info().isPresent()) {
                return CompletableFuture.completedFuture(local.info().get().size());
              }
              OptionalLong running = announcedLength(key);
              return running.isPresent()
                  ? CompletableFuture.completedFuture(running.getAsLong())
                  : upstream.headBlob(repo, digest).thenApply(head -> head.contentLength());
            });
  }

  private OptionalLong announcedLength(FetchKey key) {
    Claim running = inFlight.get(key);
    CompletableFuture<Optional<BlobFetch>> fetch = running != null ? running.fetch() : null;
    if (fetch == null || !fetch.isDone() || fetch.isCompletedExceptionally()) {
      return OptionalLong.empty();
    }
    return fetch.join().filter(started -> started.contentLength() >= 0).stream()
        .mapToLong(BlobFetch::contentLength)
        .findFirst();
  }

  /**
   * The blob's bytes: stored (an open reader the caller closes), or a shared download that has
   * received its response headers.
   */
  public CompletableFuture<BlobSource> open(Upstream upstream, RepositoryName repo, Digest digest) {
    return open(upstream, repo, digest, false);
  }

  private CompletableFuture<BlobSource> open(
      Upstream upstream, RepositoryName repo, Digest digest, boolean confirmed) {
    return supplyBlocking(() -> look(upstream, repo, digest, confirmed), disk)
        .thenCompose(
            local -> {
              if (local.reader().isPresent()) {
                return CompletableFuture.completedFuture(new StoredBlob(local.reader().get()));
              }
              if (local.stored()) {
                return confirmThenOpen(upstream, repo, digest);
              }
              return joinOrStart(upstream, repo, digest, local.linked());
            });
  }

  private CompletableFuture<BlobSource> confirmThenOpen(
      Upstream upstream, RepositoryName repo, Digest digest) {
    return links
        .confirm(upstream, repo, digest, RepositoryLinks.Kind.BLOB)
        .thenCompose(ok -> open(upstream, repo, digest, true));
  }

  /** The stored blob's size, if any, and whether the repository may be served it. Blocking. */
  private Stat stat(Upstream upstream, RepositoryName repo, Digest digest, boolean linked)
      throws IOException {
    Optional<BlobInfo> info = store.stat(digest);
    return new Stat(info, linked || links.has(upstream.name(), repo, digest));
  }

  /**
   * The stored blob opened for reading when the repository may be served it (the hot path: one
   * open), else whether it is stored at all. Blocking.
   */
  private Local look(Upstream upstream, RepositoryName repo, Digest digest, boolean linked)
      throws IOException {
    if (linked || links.has(upstream.name(), repo, digest)) {
      return new Local(store.open(digest), false, true);
    }
    return new Local(Optional.empty(), store.stat(digest).isPresent(), false);
  }

  /**
   * Abandons downloads whose upstream sent nothing for the stall timeout, or less than the minimum
   * rate in its last window; call it periodically (at least twice a window). Their readers fail and
   * the next request fetches afresh.
   */
  public void abandonStalledFetches() {
    long limit = stallTimeout.toNanos();
    long now = ticker.read();
    downloading.values().stream()
        .filter(f -> f.stalledNanos(now) > limit | f.belowMinimumRate(now))
        .forEach(BlobFetch::abortStalled);
  }

  /**
   * What a peer replica relays from this one: the download of {@code digest} through {@code
   * upstream} in flight here, or the stored blob (an open reader the caller closes); empty when
   * this replica has neither. Peers are trusted (authenticated): no repository check.
   */
  public CompletableFuture<Optional<BlobSource>> relaySource(String upstream, Digest digest) {
    Claim running = inFlight.get(new FetchKey(upstream, digest));
    CompletableFuture<Optional<BlobFetch>> fetching =
        running == null ? CompletableFuture.completedFuture(Optional.empty()) : running.fetch();
    return fetching
        .exceptionally(error -> Optional.empty())
        .thenCompose(
            download ->
                download.isPresent()
                    ? CompletableFuture.completedFuture(Optional.<BlobSource>of(download.get()))
                    : supplyBlocking(
                        () -> store.open(digest).<BlobSource>map(StoredBlob::new), disk));
  }

  /**
   * Abandons every download still receiving from upstream (stopping): its readers fail. Downloads
   * that received everything go on to verify and commit.
   */
  public void abandonDownloads() {
    downloading.values().forEach(fetch -> fetch.abandon("stopping: abandoning"));
  }

  /** Number of downloads in flight. */
  public int inFlightCount() {
    return inFlight.size();
  }

  /**
   * Joins the upstream's download of the digest, or starts one through {@code repo}. A request
   * through another repository than the one that started it joins only when linked: the starter's
   * own upstream {@code GET} is the check for its repository, not for others.
   */
  private CompletableFuture<BlobSource> joinOrStart(
      Upstream upstream, RepositoryName repo, Digest digest, boolean linked) {
    FetchKey key = new FetchKey(upstream.name(), digest);
    Claim mine = new Claim(repo, new CompletableFuture<>());
    Claim existing = inFlight.putIfAbsent(key, mine);
    if (existing != null && existing.failed()) {
      // its writer failed a moment before the fetch let go of its claim: never join a failure
      inFlight.remove(key, existing);
      return joinOrStart(upstream, repo, digest, linked);
    }
    if (existing != null) {
      boolean mayJoin = linked || existing.repo().equals(repo);
      return mayJoin
          ? existing.fetch().thenCompose(fetch -> joined(fetch, upstream, repo, digest, true))
          : confirmThenOpen(upstream, repo, digest);
    }
    // A fetch may have committed between our miss and our claim: look once more before going out.
    supplyBlocking(() -> store.stat(digest), disk)
        .thenCompose(
            info -> {
              if (info.isPresent()) {
                inFlight.remove(key, mine);
                mine.fetch().complete(Optional.empty());
                return CompletableFuture.completedFuture(null);
              }
              return downloads
                  .begin(upstream, repo, digest)
                  .thenAccept(
                      started -> {
                        if (started.isPresent()) {
                          start(upstream.name(), repo, digest, started.get(), mine);
                        } else { // stored meanwhile by another replica
                          inFlight.remove(key, mine);
                          mine.fetch().complete(Optional.empty());
                        }
                      });
            })
        .exceptionally(
            error -> {
              inFlight.remove(key, mine);
              mine.fetch().completeExceptionally(Futures.unwrap(error));
              return null;
            });
    return mine.fetch().thenCompose(fetch -> joined(fetch, upstream, repo, digest, linked));
  }

  /**
   * The download a claim led to, or, when the blob was stored meanwhile (no download), the stored
   * blob opened for this request: each request its own reader. Stored through another repository,
   * it is not ours without a link.
   */
  private CompletableFuture<BlobSource> joined(
      Optional<BlobFetch> fetch,
      Upstream upstream,
      RepositoryName repo,
      Digest digest,
      boolean linked) {
    if (fetch.isPresent()) {
      return CompletableFuture.completedFuture(fetch.get());
    }
    return linked ? open(upstream, repo, digest, true) : confirmThenOpen(upstream, repo, digest);
  }

  private void start(
      String upstream,
      RepositoryName repo,
      Digest digest,
      ClusterDownloads.Started started,
      Claim mine) {
    try {
      fetch.execute(() -> run(upstream, repo, digest, started, mine));
    } catch (RuntimeException rejected) { // shutting down: give the connection back
      started.download().close();
      started.release().run();
      throw rejected;
    }
  }

  private void run(
      String upstream,
      RepositoryName repo,
      Digest digest,
      ClusterDownloads.Started started,
      Claim mine) {
    try {
      copy(upstream, repo, digest, started, mine);
    } finally {
      started.release().run();
    }
  }

  private void copy(
      String upstream,
      RepositoryName repo,
      Digest digest,
      ClusterDownloads.Started started,
      Claim mine) {
    BlobDownload download = started.download();
    FetchKey key = new FetchKey(upstream, digest);
    Runnable release = () -> inFlight.remove(key, mine);
    BlobFetch running;
    try {
      running =
          BlobFetch.begin(
              store,
              digest,
              download.contentLength(),
              started.relayed(),
              minimumRate,
              ticker,
              release);
    } catch (Exception e) {
      download.close();
      release.run();
      mine.fetch().completeExceptionally(e);
      return;
    }
    // the upstream answered 200 in this repository's scope, or it confirmed a follower's: it has
    // the blob
    links.link(upstream, repo, digest);
    mine.fetch().complete(Optional.of(running));
    downloading.put(key, running);
    try {
      running.copy(download, started.resumption());
    } finally {
      downloading.remove(key, running);
    }
    if (started.relayed()) {
      metrics.relayedBytes(upstream, running.available());
    } else {
      metrics.upstreamBytes(upstream, running.available());
    }
    if (running.done().isCompletedExceptionally()
        && running.done().handle((ok, error) -> Futures.unwrap(error)).join()
            instanceof DigestMismatchException) {
      metrics.digestMismatch(upstream);
    }
  }

  /** Downloads are shared per upstream and digest, never across upstreams. */
  private record FetchKey(String upstream, Digest digest) {}

  /**
   * A download in flight (or about to be), with the repository it was started through; the future
   * holds no download when the blob turned out to be stored already.
   */
  private record Claim(RepositoryName repo, CompletableFuture<Optional<BlobFetch>> fetch) {
    /** Whether the download it claimed has already failed (its claim is about to be released). */
    boolean failed() {
      return fetch.isDone()
          && !fetch.isCompletedExceptionally()
          && fetch.join().map(running -> running.done().isCompletedExceptionally()).orElse(false);
    }
  }

  private record Stat(Optional<BlobInfo> info, boolean linked) {}

  /** The stored blob opened when linked, or whether it is stored when not. */
  private record Local(Optional<BlobReader> reader, boolean stored, boolean linked) {}
}
