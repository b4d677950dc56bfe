package dev.stevedore.server;

import dev.stevedore.server.config.ServeSettings;
import dev.stevedore.server.http.RegistryServer;
import dev.stevedore.server.http.RegistryServices;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running Stevedore: the cache services of a data directory behind the HTTP server. */
public final class StevedoreProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StevedoreProxy.class);

  private final CacheServices cache;
  private final RegistryServer server;

  private StevedoreProxy(CacheServices cache, RegistryServer server) {
    this.cache = cache;
    this.server = server;
  }

  /**
   * Opens the data directory and starts serving; works with every upstream unreachable.
   *
   * @throws IOException when the listen address cannot be bound
   */
  public static StevedoreProxy start(ServeSettings settings)
      throws IOException, InterruptedException {
    CacheServices cache = CacheServices.open(settings);
    try {
      RegistryServices services =
          new RegistryServices(cache.upstreams(), cache.manifests(), cache.blobs(), cache.disk());
      InetSocketAddress address =
          new InetSocketAddress(settings.listen().host(), settings.listen().port());
      RegistryServer server = RegistryServer.start(address, services);
      log.info(
          "stevedore serving on {} with data in {}; upstreams {} (default {}){}",
          server.address(),
          settings.dataDir().toAbsolutePath().normalize(),
          settings.upstreams().keySet(),
          settings.defaultUpstream(),
          settings.offline() ? "; offline" : "");
      return new StevedoreProxy(cache, server);
    } catch (Exception e) { // Netty rethrows bind failures unchecked
      cache.close();
      throw e;
    }
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
    cache.close();
  }
}
