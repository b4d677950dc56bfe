package dev.stevedore.server.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Everything {@code stevedore serve} needs, resolved from defaults, file, environment and flags.
 * {@code offline} means: serve only what is cached and never contact an upstream. {@code
 * maxCacheSize} is the disk budget of the blobs in bytes (empty: unlimited); {@code serve} and
 * {@code gc} enforce it. {@code tls} and {@code access} are the file's sections; {@code serve}'s
 * flags override them. {@code maxConnectionsPerClient} caps the connections one client address (an
 * IPv6 /64) may hold open at once. {@code store} is the shared object store the cache lives in,
 * empty when the data directory alone holds it. {@code cluster} is how this replica works with the
 * others sharing that store, empty for a lone replica. {@code advertise} is the address nodes and
 * peers reach this server under when given ({@code --advertise}); without it setup scripts name the
 * address each node asked under.
 */
public record ServeSettings(
    HostPort listen,
    Path dataDir,
    Map<String, UpstreamSettings> upstreams,
    String defaultUpstream,
    Duration tagTtl,
    Duration connectTimeout,
    Duration requestTimeout,
    boolean offline,
    OptionalLong maxCacheSize,
    TlsSettings tls,
    AccessSettings access,
    int maxConnectionsPerClient,
    Optional<StoreSettings> store,
    Optional<ClusterSettings> cluster,
    Optional<URI> advertise) {

  public ServeSettings {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(dataDir, "dataDir");
    upstreams = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(upstreams));
    Objects.requireNonNull(defaultUpstream, "defaultUpstream");
    Objects.requireNonNull(tagTtl, "tagTtl");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(maxCacheSize, "maxCacheSize");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(advertise, "advertise");
    if (cluster.isPresent() && store.isEmpty()) {
      throw new ConfigException("a cluster needs a store");
    }
    if (maxCacheSize.isPresent() && maxCacheSize.getAsLong() <= 0) {
      throw new ConfigException("max-cache-size must be positive");
    }
    if (maxConnectionsPerClient < 1) {
      throw new ConfigException(
          "max-connections-per-client must be at least 1: " + maxConnectionsPerClient);
    }
    if (!upstreams.containsKey(defaultUpstream)) {
      throw new ConfigException("default upstream '" + defaultUpstream + "' is not configured");
    }
  }
}
