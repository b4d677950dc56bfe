package dev.stevedore.server.cli;

import dev.stevedore.server.config.ClusterFlags;
import dev.stevedore.server.config.ServeSettings;
import dev.stevedore.server.config.ServeSettingsResolver;
import dev.stevedore.server.config.StoreFlags;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options every command that opens the cache shares: where it is and which upstreams feed it.
 */
public final class CacheOptions {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "YAML configuration file; flags override it.")
  Path config;

  @Mixin DataOptions data;

  @Option(
      names = "--upstream",
      paramLabel = "NAME=URL",
      description =
          "An upstream registry, repeatable (default: docker.io=https://registry-1.docker.io).")
  List<String> upstreams = new ArrayList<>();

  @Option(
      names = "--credentials-file",
      paramLabel = "DOCKER_CONFIG_JSON",
      description = "Docker config.json whose 'auths' hold upstream credentials.")
  Path credentialsFile;

  /** Resolves the settings with the given extra flags of the command. */
  public ServeSettings resolve(Optional<String> listen, Optional<String> tagTtl, boolean offline) {
    return resolve(listen, tagTtl, offline, Optional.empty(), Optional.empty(), System.getenv());
  }

  /**
   * Resolves the settings with the given extra flags, {@code --max-cache-size} and {@code
   * --max-connections-per-client} among them, and the given environment variables (upstream
   * credentials).
   */
  public ServeSettings resolve(
      Optional<String> listen,
      Optional<String> tagTtl,
      boolean offline,
      Optional<String> maxCacheSize,
      Optional<Integer> maxConnectionsPerClient,
      Map<String, String> environment) {
    return resolve(
        listen,
        tagTtl,
        offline,
        maxCacheSize,
        maxConnectionsPerClient,
        StoreFlags.NONE,
        environment);
  }

  /** Resolves the settings with the given extra flags, the store flags among them. */
  public ServeSettings resolve(
      Optional<String> listen,
      Optional<String> tagTtl,
      boolean offline,
      Optional<String> maxCacheSize,
      Optional<Integer> maxConnectionsPerClient,
      StoreFlags store,
      Map<String, String> environment) {
    return resolve(
        listen,
        tagTtl,
        offline,
        maxCacheSize,
        maxConnectionsPerClient,
        store,
        ClusterFlags.NONE,
        environment);
  }

  /**
   * Resolves the settings of {@code serve}: all its extra flags, the store and cluster flags among
   * them, and its environment ({@code POD_IP} for the advertised URL among it).
   */
  public ServeSettings resolve(
      Optional<String> listen,
      Optional<String> tagTtl,
      boolean offline,
      Optional<String> maxCacheSize,
      Optional<Integer> maxConnectionsPerClient,
      StoreFlags store,
      ClusterFlags cluster,
      Map<String, String> environment) {
    return ServeSettingsResolver.resolve(
        new ServeSettingsResolver.Flags(
            Optional.ofNullable(config),
            listen,
            data.dir(),
            upstreams,
            Optional.ofNullable(credentialsFile),
            tagTtl,
            offline,
            maxCacheSize,
            maxConnectionsPerClient,
            store,
            cluster),
        environment);
  }
}
