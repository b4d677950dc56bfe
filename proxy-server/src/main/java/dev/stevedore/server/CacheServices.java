package dev.stevedore.server;

import dev.stevedore.core.cache.BlobService;
import dev.stevedore.core.cache.ManifestService;
import dev.stevedore.core.cache.StoredManifests;
import dev.stevedore.core.metrics.CacheMetrics;
import dev.stevedore.core.upstream.OfflineUpstream;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.core.upstream.UpstreamClient;
import dev.stevedore.core.upstream.UpstreamConfig;
import dev.stevedore.core.upstream.Upstreams;
import dev.stevedore.server.config.ConfigException;
import dev.stevedore.server.config.ServeSettings;
import dev.stevedore.server.config.UpstreamSettings;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.FileSystemBlobStore;
import dev.stevedore.storage.FileSystemMediaTypeStore;
import dev.stevedore.storage.FileSystemTagStore;
import dev.stevedore.storage.TagStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cache of one data directory with its upstreams: stores, upstream clients, the caching
 * services and the executors they run blocking work on. {@code serve}, {@code preload}, {@code
 * export} and {@code import} all work through it.
 */
public final class CacheServices implements AutoCloseable {
  private static final Duration OFFLINE_TAG_TTL = Duration.ofDays(365L * 100);
  private static final int DISK_THREADS =
      Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

  private final BlobStore blobStore;
  private final StoredManifests storedManifests;
  private final TagStore tagStore;
  private final Upstreams upstreams;
  private final ManifestService manifests;
  private final BlobService blobs;
  private final ExecutorService disk;
  private final ExecutorService fetch;

  private CacheServices(
      BlobStore blobStore,
      StoredManifests storedManifests,
      TagStore tagStore,
      Upstreams upstreams,
      Duration tagTtl,
      CacheMetrics metrics) {
    this.blobStore = blobStore;
    this.storedManifests = storedManifests;
    this.tagStore = tagStore;
    this.upstreams = upstreams;
    this.disk = Executors.newFixedThreadPool(DISK_THREADS, daemonThreads("stevedore-disk"));
    this.fetch = Executors.newCachedThreadPool(daemonThreads("stevedore-fetch"));
    this.manifests =
        new ManifestService(storedManifests, tagStore, disk, Clock.systemUTC(), tagTtl);
    this.blobs = new BlobService(blobStore, disk, fetch, metrics);
  }

  /** Opens the data directory; works with every upstream unreachable. */
  public static CacheServices open(ServeSettings settings) {
    return open(settings, CacheMetrics.NONE);
  }

  /** Opens the data directory, reporting upstream traffic to {@code metrics}. */
  public static CacheServices open(ServeSettings settings, CacheMetrics metrics) {
    try {
      FileSystemBlobStore blobStore = FileSystemBlobStore.open(settings.dataDir());
      StoredManifests stored =
          new StoredManifests(blobStore, FileSystemMediaTypeStore.open(settings.dataDir()));
      FileSystemTagStore tags = FileSystemTagStore.open(settings.dataDir());
      return new CacheServices(
          blobStore, stored, tags, upstreams(settings, metrics), tagTtl(settings), metrics);
    } catch (IOException e) {
      throw new ConfigException("cannot use data directory " + settings.dataDir() + ": " + e);
    }
  }

  /** Offline, a cached tag is as current as it can be: serve it without revalidating. */
  private static Duration tagTtl(ServeSettings settings) {
    return settings.offline() ? OFFLINE_TAG_TTL : settings.tagTtl();
  }

  private static Upstreams upstreams(ServeSettings settings, CacheMetrics metrics) {
    Map<String, Upstream> byName = new LinkedHashMap<>();
    for (UpstreamSettings upstream : settings.upstreams().values()) {
      UpstreamConfig config =
          new UpstreamConfig(
              upstream.name(),
              upstream.url(),
              upstream.credentials(),
              settings.connectTimeout(),
              settings.requestTimeout());
      byName.put(
          upstream.name(),
          settings.offline()
              ? new OfflineUpstream(upstream.name())
              : new UpstreamClient(config, metrics));
    }
    return new Upstreams(byName, settings.defaultUpstream());
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  public BlobStore blobStore() {
    return blobStore;
  }

  public StoredManifests storedManifests() {
    return storedManifests;
  }

  public TagStore tagStore() {
    return tagStore;
  }

  public Upstreams upstreams() {
    return upstreams;
  }

  public ManifestService manifests() {
    return manifests;
  }

  public BlobService blobs() {
    return blobs;
  }

  /** The executor for blocking file work. */
  public ExecutorService disk() {
    return disk;
  }

  @Override
  public void close() {
    fetch.shutdownNow();
    disk.shutdown();
    try {
      disk.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
