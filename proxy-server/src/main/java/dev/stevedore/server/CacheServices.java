package dev.stevedore.server;

import dev.stevedore.core.cache.BlobService;
import dev.stevedore.core.cache.ManifestService;
import dev.stevedore.core.cache.MinimumRate;
import dev.stevedore.core.cache.RepositoryLinks;
import dev.stevedore.core.cache.StoredManifests;
import dev.stevedore.core.cluster.Cluster;
import dev.stevedore.core.metrics.CacheMetrics;
import dev.stevedore.core.upstream.OfflineUpstream;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.core.upstream.UpstreamCaps;
import dev.stevedore.core.upstream.UpstreamClient;
import dev.stevedore.core.upstream.UpstreamConfig;
import dev.stevedore.core.upstream.UpstreamGuards;
import dev.stevedore.core.upstream.Upstreams;
import dev.stevedore.server.config.ByteSize;
import dev.stevedore.server.config.ConfigException;
import dev.stevedore.server.config.ServeSettings;
import dev.stevedore.server.config.UpstreamSettings;
import dev.stevedore.server.http.RelayAccess;
import dev.stevedore.server.store.CacheStores;
import dev.stevedore.server.store.StoreConnections;
import dev.stevedore.storage.BlobIndex;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.EvictionListener;
import dev.stevedore.storage.IndexedBlobStore;
import dev.stevedore.storage.S3Connection;
import dev.stevedore.storage.StoreCheck;
import dev.stevedore.storage.TagStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache of one data directory with its upstreams: stores, upstream clients, the caching
 * services and the executors they run blocking work on. {@code serve}, {@code preload}, {@code
 * export} and {@code import} all work through it.
 *
 * <p>Only {@link #openWithBudget} (what {@code serve} uses) enforces the disk budget: it indexes
 * the blobs on disk in the background and evicts to stay within {@code max-cache-size}. The tools
 * that add to the cache ({@code preload}, {@code export}, {@code import}) never evict, so an export
 * cannot lose a blob it is about to write; a serving process counts their blobs as it meets them,
 * and {@code stevedore gc} or a restart counts everything.
 */
public final class CacheServices implements AutoCloseable {
  /** How often downloads are checked for an upstream that stopped sending. */
  private static final Duration STALL_CHECK_INTERVAL = Duration.ofSeconds(5);

  /**
   * A system property that changes the minimum rate of blob downloads ({@code BYTES/SECONDS}, see
   * {@link MinimumRate}): a tuning knob, and how the attack tests shorten the window.
   */
  public static final String MINIMUM_RATE_PROPERTY = "stevedore.blob.minimum-rate";

  private static final Logger log = LoggerFactory.getLogger(CacheServices.class);
  private static final Duration OFFLINE_TAG_TTL = Duration.ofDays(365L * 100);
  private static final int DISK_THREADS =
      Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

  private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);

  /** How long a stop waits for downloads in progress before abandoning them. */
  private static final Duration FETCH_DRAIN = Duration.ofSeconds(10);

  private final CacheStores stores;
  private final StoredManifests storedManifests;
  private final TagStore tagStore;
  private final RepositoryLinks links;
  private final Upstreams upstreams;
  private final UpstreamGuards guards;
  private final ManifestService manifests;
  private final BlobService blobs;
  private final ExecutorService disk;
  private final ExecutorService fetch;
  private final ScheduledExecutorService housekeeping;

  private CacheServices(
      CacheStores stores,
      StoredManifests storedManifests,
      Upstreams upstreams,
      UpstreamGuards guards,
      Duration tagTtl,
      CacheMetrics metrics,
      boolean enforceBudget,
      TimeSource time) {
    this.guards = guards;
    this.stores = stores;
    this.storedManifests = storedManifests;
    this.tagStore = stores.tags();
    this.upstreams = upstreams;
    this.disk = Executors.newFixedThreadPool(DISK_THREADS, DaemonThreads.named("stevedore-disk"));
    this.fetch = Executors.newCachedThreadPool(DaemonThreads.named("stevedore-fetch"));
    this.links =
        new RepositoryLinks(
            stores.links(),
            storedManifests,
            disk,
            time.clock(),
            RepositoryLinks.DEFAULT_NEGATIVE_TTL);
    this.manifests =
        new ManifestService(
            storedManifests, tagStore, disk, time.clock(), tagTtl, links, replicas());
    MinimumRate minimumRate = minimumRate();
    this.blobs =
        new BlobService(
            stores.blobs(),
            disk,
            fetch,
            metrics,
            BlobService.DEFAULT_STALL_TIMEOUT,
            minimumRate,
            links,
            time.ticker(),
            replicas());
    Duration stallCheck = min(STALL_CHECK_INTERVAL, minimumRate.window().dividedBy(2));
    this.housekeeping =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("stevedore-housekeeping"));
    housekeeping.scheduleWithFixedDelay(
        this::checkStalls, stallCheck.toMillis(), stallCheck.toMillis(), TimeUnit.MILLISECONDS);
    if (enforceBudget) {
      startSweeping(stores.localTier());
    }
  }

  private void checkStalls() {
    try {
      blobs.abandonStalledFetches();
    } catch (RuntimeException e) {
      log.warn("Stall check failed: {}", e.toString());
    }
  }

  /**
   * Runs the housekeeping's stall check now, on the housekeeping thread, as the schedule does every
   * few seconds; for tests that advance the ticker they opened the cache with instead of waiting.
   */
  public Future<?> checkStallsNow() {
    return housekeeping.submit(this::checkStalls);
  }

  /**
   * Indexes what is on disk (on the disk executor, so serving starts at once) and settles pending
   * evictions (blobs whose pins have closed are deleted) every second, even when no request comes.
   */
  private void startSweeping(IndexedBlobStore store) {
    disk.execute(
        () -> {
          try {
            store.rebuild();
          } catch (IOException | RuntimeException e) {
            log.warn(
                "Cannot index the blobs on disk; counting them as they are used: {}", e.toString());
          }
        });
    BlobIndex index = store.index();
    housekeeping.scheduleWithFixedDelay(
        () -> {
          try {
            index.cleanUp();
          } catch (RuntimeException e) {
            log.warn("Eviction sweep failed: {}", e.toString());
          }
        },
        SWEEP_INTERVAL.toMillis(),
        SWEEP_INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Opens the data directory without evicting; works with every upstream unreachable. */
  public static CacheServices open(ServeSettings settings) {
    return open(settings, CacheMetrics.NONE);
  }

  /** Opens the data directory without evicting, reporting upstream traffic to {@code metrics}. */
  public static CacheServices open(ServeSettings settings, CacheMetrics metrics) {
    return open(
        settings, metrics, OptionalLong.empty(), EvictionListener.NONE, false, TimeSource.SYSTEM);
  }

  /**
   * Opens the data directory for serving: indexes its blobs and keeps them within {@code
   * settings.maxCacheSize()} (unlimited when empty), telling {@code evictions} of every blob
   * evicted.
   */
  public static CacheServices openWithBudget(
      ServeSettings settings, CacheMetrics metrics, EvictionListener evictions) {
    return openWithBudget(settings, metrics, evictions, TimeSource.SYSTEM);
  }

  /**
   * Like {@link #openWithBudget(ServeSettings, CacheMetrics, EvictionListener)}, on {@code time}:
   * tag TTLs by its clock, the stall check of blob downloads by its ticker. Tests pass fakes and
   * advance them.
   */
  public static CacheServices openWithBudget(
      ServeSettings settings, CacheMetrics metrics, EvictionListener evictions, TimeSource time) {
    return open(settings, metrics, settings.maxCacheSize(), evictions, true, time);
  }

  private static CacheServices open(
      ServeSettings settings,
      CacheMetrics metrics,
      OptionalLong budget,
      EvictionListener evictions,
      boolean enforceBudget,
      TimeSource time) {
    CacheStores stores = openStores(settings, metrics, budget, evictions, enforceBudget);
    StoredManifests stored = new StoredManifests(stores.blobs(), stores.mediaTypes());
    UpstreamGuards guards = UpstreamGuards.forThisProcess();
    return new CacheServices(
        stores,
        stored,
        upstreams(settings, metrics, guards),
        guards,
        tagTtl(settings),
        metrics,
        enforceBudget,
        time);
  }

  /**
   * The data directory alone, or, for {@code serve} with {@code --store}, the data directory as hot
   * tier in front of the bucket. The bucket is checked once here: an answer that says no (wrong
   * credentials, no such bucket) stops the start with its line; no answer lets the server start,
   * serving its local tier and not ready until the store answers.
   */
  private static CacheStores openStores(
      ServeSettings settings,
      CacheMetrics metrics,
      OptionalLong budget,
      EvictionListener evictions,
      boolean serving) {
    try {
      if (settings.store().isEmpty() || !serving) {
        return CacheStores.local(settings.dataDir(), budget, evictions);
      }
      S3Connection connection = StoreConnections.open(settings.store().get(), metrics);
      StoreCheck.Result check = StoreCheck.check(connection);
      if (check.verdict() == StoreCheck.Verdict.REFUSED) {
        connection.close();
        throw new ConfigException("store: " + check.line());
      }
      if (check.verdict() == StoreCheck.Verdict.UNREACHABLE) {
        log.warn("Store: {}; serving the local tier only until it answers", check.line());
      }
      return CacheStores.shared(
          settings.dataDir(),
          budget,
          evictions,
          connection,
          check,
          settings.store().get(),
          settings.cluster());
    } catch (IOException e) {
      throw new ConfigException("cannot use data directory " + settings.dataDir() + ": " + e);
    }
  }

  private static MinimumRate minimumRate() {
    String configured = System.getProperty(MINIMUM_RATE_PROPERTY);
    if (configured == null) {
      return MinimumRate.DEFAULT;
    }
    try {
      return MinimumRate.parse(configured);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("-D" + MINIMUM_RATE_PROPERTY + ": " + e.getMessage());
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Offline, a cached tag is as current as it can be: serve it without revalidating. */
  private static Duration tagTtl(ServeSettings settings) {
    return settings.offline() ? OFFLINE_TAG_TTL : settings.tagTtl();
  }

  /** Every upstream client shares {@code guards}: one buffer budget, one redirect policy. */
  private static Upstreams upstreams(
      ServeSettings settings, CacheMetrics metrics, UpstreamGuards guards) {
    Map<String, Upstream> byName = new LinkedHashMap<>();
    for (UpstreamSettings upstream : settings.upstreams().values()) {
      UpstreamConfig config =
          new UpstreamConfig(
              upstream.name(),
              upstream.url(),
              upstream.credentials(),
              settings.connectTimeout(),
              settings.requestTimeout(),
              upstream.caps());
      if (upstream.caps().limits() && !settings.offline()) {
        log.info("Upstream {} capped: {}", upstream.name(), describe(upstream.caps()));
      }
      byName.put(
          upstream.name(),
          settings.offline()
              ? new OfflineUpstream(upstream.name())
              : new UpstreamClient(config, metrics, guards));
    }
    return new Upstreams(byName, settings.defaultUpstream());
  }

  private static String describe(UpstreamCaps caps) {
    String connections =
        caps.maxConnections().isEmpty()
            ? "any number of connections"
            : "at most "
                + caps.maxConnections().getAsInt()
                + " connections (queue "
                + caps.queueTimeout().toMillis()
                + " ms)";
    return caps.bytesPerSecond().isEmpty()
        ? connections
        : connections + ", " + ByteSize.format(caps.bytesPerSecond().getAsLong()) + "/s";
  }

  public BlobStore blobStore() {
    return stores.blobs();
  }

  /** The stores the cache keeps its content in (the data directory, and the bucket if shared). */
  public CacheStores stores() {
    return stores;
  }

  /**
   * The index of the blobs on disk: size, count, budget, evictions. Complete only when opened with
   * {@link #openWithBudget}; otherwise it holds just the blobs this process has used.
   */
  public BlobIndex blobIndex() {
    return stores.localIndex();
  }

  public StoredManifests storedManifests() {
    return storedManifests;
  }

  public TagStore tagStore() {
    return tagStore;
  }

  /** Which repositories have which digests; shared by the manifest and blob services. */
  public RepositoryLinks links() {
    return links;
  }

  public Upstreams upstreams() {
    return upstreams;
  }

  /** Tells the upstream clients where Stevedore listens, so no redirect may lead back to it. */
  public void listeningOn(InetSocketAddress address) {
    guards.listeningOn(address);
  }

  public ManifestService manifests() {
    return manifests;
  }

  public BlobService blobs() {
    return blobs;
  }

  /** Who may relay blobs from this replica: its cluster's peers; empty without a cluster. */
  public Optional<RelayAccess> relayAccess() {
    return cluster().map(CacheStores.ReplicaCluster::peers);
  }

  /** The cluster the caching services act in: its members, or this replica alone. */
  private Cluster replicas() {
    return cluster().<Cluster>map(CacheStores.ReplicaCluster::members).orElse(Cluster.SOLO);
  }

  private Optional<CacheStores.ReplicaCluster> cluster() {
    return stores.shared().flatMap(CacheStores.Shared::cluster);
  }

  /** The executor for blocking file work. */
  public ExecutorService disk() {
    return disk;
  }

  @Override
  /**
   * Stops: downloads still receiving from upstream are abandoned; those that received everything
   * get up to {@link #FETCH_DRAIN} to verify and commit (a blob its clients already have may still
   * be uploading to the shared store, where a peer replica will look for it).
   */
  public void close() {
    housekeeping.shutdownNow();
    blobs.abandonDownloads();
    fetch.shutdown();
    awaitQuietly(fetch, FETCH_DRAIN);
    fetch.shutdownNow();
    disk.shutdown();
    awaitQuietly(disk, Duration.ofSeconds(5));
    stores.close();
  }

  private static void awaitQuietly(ExecutorService executor, Duration timeout) {
    try {
      executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
