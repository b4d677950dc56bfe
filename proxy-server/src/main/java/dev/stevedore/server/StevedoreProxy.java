package dev.stevedore.server;

import dev.stevedore.core.cache.BlobService;
import dev.stevedore.core.cache.ManifestService;
import dev.stevedore.core.cache.StoredManifests;
import dev.stevedore.core.upstream.OfflineUpstream;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.core.upstream.UpstreamClient;
import dev.stevedore.core.upstream.UpstreamConfig;
import dev.stevedore.core.upstream.Upstreams;
import dev.stevedore.server.config.ConfigException;
import dev.stevedore.server.config.ServeSettings;
import dev.stevedore.server.config.UpstreamSettings;
import dev.stevedore.server.http.RegistryServer;
import dev.stevedore.server.http.RegistryServices;
import dev.stevedore.storage.FileSystemBlobStore;
import dev.stevedore.storage.FileSystemMediaTypeStore;
import dev.stevedore.storage.FileSystemTagStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running Stevedore: stores, upstream clients, caching services and the HTTP server. */
public final class StevedoreProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StevedoreProxy.class);
  private static final Duration OFFLINE_TAG_TTL = Duration.ofDays(365L * 100);
  private static final int DISK_THREADS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

  private final ExecutorService disk;
  private final ExecutorService fetch;
  private final RegistryServer server;

  private StevedoreProxy(ExecutorService disk, ExecutorService fetch, RegistryServer server) {
    this.disk = disk;
    this.fetch = fetch;
    this.server = server;
  }

  /**
   * Opens the data directory and starts serving; works with every upstream unreachable.
   *
   * @throws IOException when the listen address cannot be bound
   */
  public static StevedoreProxy start(ServeSettings settings)
      throws IOException, InterruptedException {
    FileSystemBlobStore blobs;
    StoredManifests manifests;
    FileSystemTagStore tags;
    try {
      blobs = FileSystemBlobStore.open(settings.dataDir());
      manifests = new StoredManifests(blobs, FileSystemMediaTypeStore.open(settings.dataDir()));
      tags = FileSystemTagStore.open(settings.dataDir());
    } catch (IOException e) {
      throw new ConfigException("cannot use data directory " + settings.dataDir() + ": " + e);
    }
    ExecutorService disk = Executors.newFixedThreadPool(DISK_THREADS, daemonThreads("stevedore-disk"));
    ExecutorService fetch = Executors.newCachedThreadPool(daemonThreads("stevedore-fetch"));
    try {
      RegistryServices services =
          new RegistryServices(
              upstreams(settings),
              new ManifestService(manifests, tags, disk, Clock.systemUTC(), tagTtl(settings)),
              new BlobService(blobs, disk, fetch),
              disk);
      InetSocketAddress address =
          new InetSocketAddress(settings.listen().host(), settings.listen().port());
      RegistryServer server = RegistryServer.start(address, services);
      log.info(
          "stevedore serving on {} with data in {}; upstreams {} (default {})",
          server.address(),
          settings.dataDir().toAbsolutePath().normalize(),
          settings.upstreams().keySet(),
          settings.defaultUpstream());
      return new StevedoreProxy(disk, fetch, server);
    } catch (Exception e) { // Netty rethrows bind failures unchecked
      disk.shutdownNow();
      fetch.shutdownNow();
      throw e;
    }
  }

  /** Offline, a cached tag is as current as it can be: serve it without revalidating. */
  private static Duration tagTtl(ServeSettings settings) {
    return settings.offline() ? OFFLINE_TAG_TTL : settings.tagTtl();
  }

  private static Upstreams upstreams(ServeSettings settings) {
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
          settings.offline() ? new OfflineUpstream(upstream.name()) : new UpstreamClient(config));
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

  public InetSocketAddress address() {
    return server.address();
  }

  public void awaitClose() throws InterruptedException {
    server.awaitClose();
  }

  @Override
  public void close() {
    server.close();
    fetch.shutdownNow();
    disk.shutdown();
    try {
      disk.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
