package dev.stevedore.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything {@code stevedore serve} needs, resolved from defaults, file, environment and flags.
 * {@code offline} means: serve only what is cached and never contact an upstream.
 */
public record ServeSettings(
    HostPort listen,
    Path dataDir,
    Map<String, UpstreamSettings> upstreams,
    String defaultUpstream,
    Duration tagTtl,
    Duration connectTimeout,
    Duration requestTimeout,
    boolean offline) {

  public ServeSettings {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(dataDir, "dataDir");
    upstreams = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(upstreams));
    Objects.requireNonNull(defaultUpstream, "defaultUpstream");
    Objects.requireNonNull(tagTtl, "tagTtl");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (!upstreams.containsKey(defaultUpstream)) {
      throw new ConfigException("default upstream '" + defaultUpstream + "' is not configured");
    }
  }
}
