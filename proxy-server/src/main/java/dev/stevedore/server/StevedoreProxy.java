package dev.stevedore.server;

import dev.stevedore.core.cache.PullStats;
import dev.stevedore.server.cluster.StoreCluster;
import dev.stevedore.server.config.ServeSettings;
import dev.stevedore.server.http.RegistryServer;
import dev.stevedore.server.http.RegistryServices;
import dev.stevedore.server.metrics.MeterNames;
import dev.stevedore.server.metrics.StevedoreMetrics;
import dev.stevedore.server.setup.NodeSetup;
import dev.stevedore.server.status.ClusterState;
import dev.stevedore.server.status.RecentClients;
import dev.stevedore.server.status.StatusPage;
import dev.stevedore.server.store.CacheStores;
import dev.stevedore.server.store.CacheStores.ReplicaCluster;
import dev.stevedore.server.tls.ServerTls;
import dev.stevedore.storage.BlobIndex;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running Stevedore: the cache services of a data directory behind the HTTP server. */
public final class StevedoreProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StevedoreProxy.class);

  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

  private final CacheServices cache;
  private final RegistryServer server;
  private final HealthCheck health;
  private final StevedoreMetrics metrics;
  private final ServerOptions options;
  private final AtomicBoolean closed = new AtomicBoolean();

  private StevedoreProxy(
      CacheServices cache,
      RegistryServer server,
      HealthCheck health,
      StevedoreMetrics metrics,
      ServerOptions options) {
    this.cache = cache;
    this.server = server;
    this.health = health;
    this.metrics = metrics;
    this.options = options;
  }

  /**
   * Opens the data directory and starts serving; works with every upstream unreachable.
   *
   * @throws IOException when the listen address cannot be bound
   */
  public static StevedoreProxy start(ServeSettings settings)
      throws IOException, InterruptedException {
    return start(settings, ServerOptions.PLAIN);
  }

  /**
   * Like {@link #start(ServeSettings)}, facing clients as {@code options} say (TLS, access). The
   * proxy owns the access control: closing the proxy, or a failed start, closes it.
   *
   * @throws IOException when the listen address cannot be bound
   */
  public static StevedoreProxy start(ServeSettings settings, ServerOptions options)
      throws IOException, InterruptedException {
    return start(settings, options, TimeSource.SYSTEM);
  }

  /**
   * Like {@link #start(ServeSettings, ServerOptions)}, on {@code time} (tests pass a fake clock and
   * ticker).
   *
   * @throws IOException when the listen address cannot be bound
   */
  public static StevedoreProxy start(ServeSettings settings, ServerOptions options, TimeSource time)
      throws IOException, InterruptedException {
    try {
      return startOwning(settings, options, time);
    } catch (Throwable e) { // Netty rethrows bind failures unchecked
      options.access().close();
      throw e;
    }
  }

  private static StevedoreProxy startOwning(
      ServeSettings settings, ServerOptions options, TimeSource time)
      throws IOException, InterruptedException {
    StevedoreMetrics metrics = new StevedoreMetrics();
    CacheServices cache =
        CacheServices.openWithBudget(settings, metrics, (digest, size) -> metrics.eviction(), time);
    try {
      HealthCheck health =
          new HealthCheck(
              cache.blobStore(),
              cache.disk(),
              HealthCheck.FreeSpace.of(settings.dataDir()),
              HealthCheck.MIN_FREE_BYTES);
      cache.stores().shared().ifPresent(shared -> health.requiringStore(shared.health()::problem));
      metrics.gauge(MeterNames.INFLIGHT_FETCHES, cache.blobs(), blobs -> blobs.inFlightCount());
      BlobIndex index = cache.blobIndex();
      metrics.gauge(MeterNames.CACHE_SIZE, index, BlobIndex::diskBytes);
      metrics.gauge(MeterNames.CACHE_BLOBS, index, BlobIndex::count);
      metrics.gauge(MeterNames.CACHE_BUDGET, index, i -> i.budget().orElse(0));
      cache.upstreams().all().forEach(metrics::rateLimitOf);
      Optional<StoreCluster> cluster =
          cache.stores().shared().flatMap(CacheStores.Shared::cluster).map(ReplicaCluster::members);
      cluster.ifPresent(metrics::clusterOf);
      PullStats pulls = new PullStats();
      RecentClients clients = new RecentClients(Clock.systemUTC());
      NodeSetup setup =
          new NodeSetup(
              List.copyOf(settings.upstreams().keySet()),
              settings.defaultUpstream(),
              settings.advertise(),
              options.tls().map(ServerTls::trust));
      RegistryServices services =
          new RegistryServices(
              cache.upstreams(),
              cache.manifests(),
              cache.blobs(),
              cache.disk(),
              metrics,
              health,
              StatusPage.of(
                  metrics.registry(),
                  cache.upstreams().all(),
                  cache.blobs()::inFlightCount,
                  pulls,
                  cache.stores().shared().map(CacheStores.Shared::health),
                  cluster.flatMap(
                      members ->
                          settings.cluster().map(own -> ClusterState.of(own.advertise(), members))),
                  clients,
                  setup),
              pulls,
              cache.stores().shared().flatMap(CacheStores.Shared::redirects),
              cache.relayAccess(),
              setup,
              clients);
      InetSocketAddress address =
          new InetSocketAddress(settings.listen().host(), settings.listen().port());
      RegistryServer server =
          RegistryServer.start(address, services, options, settings.maxConnectionsPerClient());
      cache.listeningOn(server.address());
      log.info(
          "stevedore serving on {} with data in {}; upstreams {} (default {}){}",
          server.address(),
          settings.dataDir().toAbsolutePath().normalize(),
          settings.upstreams().keySet(),
          settings.defaultUpstream(),
          settings.offline() ? "; offline" : "");
      return new StevedoreProxy(cache, server, health, metrics, options);
    } catch (Exception e) { // Netty rethrows bind failures unchecked
      cache.close();
      throw e;
    }
  }

  public InetSocketAddress address() {
    return server.address();
  }

  /** Whether clients speak HTTPS to it (else plain HTTP). */
  public boolean tls() {
    return options.tls().isPresent();
  }

  public void awaitClose() throws InterruptedException {
    server.awaitClose();
  }

  public StevedoreMetrics metrics() {
    return metrics;
  }

  /**
   * Stops gracefully: readiness fails first, no new connections are accepted, responses in progress
   * get a bounded time to finish, then connections close and in-flight downloads are abandoned
   * (their temp files are discarded; a restart cleans up anything left).
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    health.startShutdown();
    server.close(DRAIN_TIMEOUT);
    cache.close();
    options.access().close();
  }
}
