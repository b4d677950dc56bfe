package dev.stevedore.server.cli;

import dev.stevedore.server.FatalErrors;
import dev.stevedore.server.ServerOptions;
import dev.stevedore.server.StevedoreProxy;
import dev.stevedore.server.TimeSource;
import dev.stevedore.server.config.ConfigException;
import dev.stevedore.server.config.ServeSettings;
import dev.stevedore.server.http.LeakDetection;
import dev.stevedore.server.tls.TlsOptions;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stevedore serve}: runs the caching proxy until stopped. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve the registry pull API, caching what it fetches from the upstreams.")
public final class ServeCommand implements Callable<Integer> {

  @Mixin CacheOptions cache;

  @Mixin AccessOptions access;

  @Mixin TlsOptions tls;

  @Mixin StoreOptions store;

  @Mixin ClusterOptions cluster;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      description = "Address to listen on (default: 0.0.0.0:5000).")
  String listen;

  @Option(
      names = "--tag-ttl",
      paramLabel = "DURATION",
      description =
          "How long a tag is served without asking upstream, e.g. 30s, 5m, 1h (default: 5m).")
  String tagTtl;

  @Option(
      names = "--max-cache-size",
      paramLabel = "SIZE",
      description =
          "Disk budget of the cache, e.g. 50GiB, 10GB, 512MiB; the least valuable blobs are"
              + " evicted to stay within it (default: unlimited).")
  String maxCacheSize;

  @Option(
      names = "--max-connections-per-client",
      paramLabel = "N",
      description =
          "Connections one client address (an IPv6 /64) may hold open at once; more are closed"
              + " as they arrive (default: 256).")
  Integer maxConnectionsPerClient;

  @Option(
      names = "--offline",
      description = "Serve only what is cached; never contact an upstream (a miss is a 404).")
  boolean offline;

  /**
   * What {@code serve} takes from the process it runs in: the environment variables (upstream
   * credentials) and the {@link TimeSource} (tag TTLs, stall detection, sign-in backoff). {@link
   * #SYSTEM} in production; in-process tests give an explicit environment and, to drive time, a
   * fake clock and ticker.
   */
  public record Surroundings(Map<String, String> environment, TimeSource time) {
    public static final Surroundings SYSTEM = new Surroundings(System.getenv(), TimeSource.SYSTEM);

    public Surroundings {
      environment = Map.copyOf(environment);
      Objects.requireNonNull(time, "time");
    }
  }

  @Override
  public Integer call() throws Exception {
    ServePreinitializer.await();
    FatalErrors.haltOnVirtualMachineError();
    LeakDetection.productionDefault();
    try (StevedoreProxy proxy = start(Surroundings.SYSTEM)) {
      Runtime.getRuntime().addShutdownHook(new Thread(proxy::close, "stevedore-shutdown"));
      proxy.awaitClose();
    }
    return 0;
  }

  /**
   * Resolves the settings of these flags and starts the proxy, without waiting for it to stop:
   * {@link #call} is this and the wait. The proxy owns its access control and closes it.
   *
   * @throws ConfigException on a bad flag, file or listen address
   */
  public StevedoreProxy start(Surroundings surroundings) throws InterruptedException {
    ServePreinitializer.await();
    ServeSettings settings = settings(surroundings.environment());
    ServerOptions options =
        new ServerOptions(
            tls.serverTls(settings),
            access.build(
                settings.access(), settings.upstreams().keySet(), surroundings.time().ticker()));
    try {
      return StevedoreProxy.start(settings, options, surroundings.time());
    } catch (java.io.IOException | java.nio.channels.UnresolvedAddressException e) {
      String why = e.getMessage() == null ? "unresolvable address" : e.getMessage();
      throw new ConfigException("cannot listen on " + settings.listen() + ": " + why);
    }
  }

  /**
   * The settings of these flags over the config file and {@code environment} (upstream credentials,
   * the pod IP for the advertised URL).
   *
   * @throws ConfigException on a bad flag or file
   */
  ServeSettings settings(Map<String, String> environment) {
    return cache.resolve(
        Optional.ofNullable(listen),
        Optional.ofNullable(tagTtl),
        offline,
        Optional.ofNullable(maxCacheSize),
        Optional.ofNullable(maxConnectionsPerClient),
        store.flags(),
        cluster.flags(),
        environment);
  }
}
