package dev.stevedore.server.config;

import dev.stevedore.core.upstream.Credentials;
import dev.stevedore.core.upstream.DockerConfigCredentials;
import dev.stevedore.core.upstream.UpstreamCaps;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Resolves {@link ServeSettings}: embedded defaults, then the YAML file, then the credentials file
 * and environment, then command-line flags (highest).
 */
public final class ServeSettingsResolver {

  public static final String DEFAULT_LISTEN = "0.0.0.0:5000";
  public static final String DEFAULT_DATA = "./stevedore-data";
  public static final String DOCKER_HUB = "docker.io";
  public static final String DOCKER_HUB_URL = "https://registry-1.docker.io";
  public static final String DEFAULT_TAG_TTL = "5m";

  /**
   * Connections one client address may hold open at once. A pulling host needs a handful (Docker
   * opens about three per pull, containerd a few more), a CI host running many pulls or a NAT
   * gateway for a team some dozens; 256 leaves that room while one address can take only a fraction
   * of the 65,536 descriptors the systemd unit allows, so other clients and probes keep theirs.
   * Raise it for a large site behind one NAT address.
   */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 256;

  public static final String ENV_USERNAME = "STEVEDORE_DOCKERHUB_USERNAME";
  public static final String ENV_TOKEN = "STEVEDORE_DOCKERHUB_TOKEN";

  /** The flags of {@code serve}; empty means not given. */
  public record Flags(
      Optional<Path> config,
      Optional<String> listen,
      Optional<Path> data,
      List<String> upstreams,
      Optional<Path> credentialsFile,
      Optional<String> tagTtl,
      boolean offline,
      Optional<String> maxCacheSize,
      Optional<Integer> maxConnectionsPerClient,
      StoreFlags store,
      ClusterFlags cluster) {

    public Flags {
      java.util.Objects.requireNonNull(store, "store");
      java.util.Objects.requireNonNull(cluster, "cluster");
    }

    /** The flags without the cluster flags. */
    public Flags(
        Optional<Path> config,
        Optional<String> listen,
        Optional<Path> data,
        List<String> upstreams,
        Optional<Path> credentialsFile,
        Optional<String> tagTtl,
        boolean offline,
        Optional<String> maxCacheSize,
        Optional<Integer> maxConnectionsPerClient,
        StoreFlags store) {
      this(
          config,
          listen,
          data,
          upstreams,
          credentialsFile,
          tagTtl,
          offline,
          maxCacheSize,
          maxConnectionsPerClient,
          store,
          ClusterFlags.NONE);
    }

    /** These flags with the store flags {@code store}. */
    public Flags withStore(StoreFlags store) {
      return new Flags(
          config,
          listen,
          data,
          upstreams,
          credentialsFile,
          tagTtl,
          offline,
          maxCacheSize,
          maxConnectionsPerClient,
          store,
          cluster);
    }

    /** These flags with the cluster flags {@code cluster}. */
    public Flags withCluster(ClusterFlags cluster) {
      return new Flags(
          config,
          listen,
          data,
          upstreams,
          credentialsFile,
          tagTtl,
          offline,
          maxCacheSize,
          maxConnectionsPerClient,
          store,
          cluster);
    }

    /** The flags without the store flags. */
    public Flags(
        Optional<Path> config,
        Optional<String> listen,
        Optional<Path> data,
        List<String> upstreams,
        Optional<Path> credentialsFile,
        Optional<String> tagTtl,
        boolean offline,
        Optional<String> maxCacheSize,
        Optional<Integer> maxConnectionsPerClient) {
      this(
          config,
          listen,
          data,
          upstreams,
          credentialsFile,
          tagTtl,
          offline,
          maxCacheSize,
          maxConnectionsPerClient,
          StoreFlags.NONE);
    }

    /** The flags without {@code --max-connections-per-client}. */
    public Flags(
        Optional<Path> config,
        Optional<String> listen,
        Optional<Path> data,
        List<String> upstreams,
        Optional<Path> credentialsFile,
        Optional<String> tagTtl,
        boolean offline,
        Optional<String> maxCacheSize) {
      this(
          config,
          listen,
          data,
          upstreams,
          credentialsFile,
          tagTtl,
          offline,
          maxCacheSize,
          Optional.empty());
    }

    /** The flags without {@code --max-cache-size}. */
    public Flags(
        Optional<Path> config,
        Optional<String> listen,
        Optional<Path> data,
        List<String> upstreams,
        Optional<Path> credentialsFile,
        Optional<String> tagTtl,
        boolean offline) {
      this(config, listen, data, upstreams, credentialsFile, tagTtl, offline, Optional.empty());
    }

    /** The flags without {@code --offline}. */
    public Flags(
        Optional<Path> config,
        Optional<String> listen,
        Optional<Path> data,
        List<String> upstreams,
        Optional<Path> credentialsFile,
        Optional<String> tagTtl) {
      this(config, listen, data, upstreams, credentialsFile, tagTtl, false);
    }

    public static Flags none() {
      return new Flags(
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          List.of(),
          Optional.empty(),
          Optional.empty());
    }
  }

  private ServeSettingsResolver() {}

  public static ServeSettings resolve(Flags flags, Map<String, String> env) {
    return resolve(flags, env, ClusterSettingsResolver::localHostName);
  }

  /**
   * As {@link #resolve(Flags, Map)}, with this machine's host name (the default advertised URL's
   * host when {@code env} has no {@value ClusterSettingsResolver#ENV_POD_IP}) from {@code
   * hostName}, asked only when needed.
   */
  public static ServeSettings resolve(
      Flags flags, Map<String, String> env, java.util.function.Supplier<String> hostName) {
    ConfigFile file = flags.config().map(ConfigFile::read).orElse(ConfigFile.EMPTY);
    HostPort listen = HostPort.parse(first(flags.listen(), file.listen(), DEFAULT_LISTEN));
    Path data = flags.data().orElse(Path.of(first(Optional.empty(), file.data(), DEFAULT_DATA)));
    Duration tagTtl = Durations.parse(first(flags.tagTtl(), file.tagTtl(), DEFAULT_TAG_TTL));
    Duration connectTimeout =
        Durations.parse(first(Optional.empty(), file.connectTimeout(), "10s"));
    Duration requestTimeout =
        Durations.parse(first(Optional.empty(), file.requestTimeout(), "60s"));

    Map<String, UpstreamSettings> upstreams = fileUpstreams(file);
    for (String flag : flags.upstreams()) {
      UpstreamSettings parsed = UpstreamSettings.parseFlag(flag);
      UpstreamSettings existing = upstreams.get(parsed.name());
      boolean sameHost = existing != null && existing.url().equals(parsed.url());
      upstreams.put(
          parsed.name(),
          new UpstreamSettings(
              parsed.name(),
              parsed.url(),
              sameHost ? existing.credentials() : Optional.empty(),
              existing == null ? UpstreamCaps.NONE : existing.caps()));
    }
    Optional<Path> credentialsFile =
        flags.credentialsFile().or(() -> Optional.ofNullable(file.credentialsFile()).map(Path::of));
    if (credentialsFile.isPresent()) {
      applyCredentialsFile(upstreams, credentialsFile.get());
    }
    applyEnvironment(upstreams, env);

    String defaultUpstream =
        file.defaultUpstream() != null
            ? file.defaultUpstream()
            : upstreams.containsKey(DOCKER_HUB) ? DOCKER_HUB : upstreams.keySet().iterator().next();
    boolean offline = flags.offline() || Boolean.TRUE.equals(file.offline());
    OptionalLong maxCacheSize = maxCacheSize(flags.maxCacheSize(), file.maxCacheSize());
    Optional<StoreSettings> store = StoreSettingsResolver.resolve(flags.store(), file.store());
    return new ServeSettings(
        listen,
        data,
        upstreams,
        defaultUpstream,
        tagTtl,
        connectTimeout,
        requestTimeout,
        offline,
        maxCacheSize,
        tls(file.tls()),
        access(file.access()),
        flags
            .maxConnectionsPerClient()
            .or(() -> Optional.ofNullable(file.maxConnectionsPerClient()))
            .orElse(DEFAULT_MAX_CONNECTIONS_PER_CLIENT),
        store,
        ClusterSettingsResolver.resolve(
            flags.cluster(), file.cluster(), store.isPresent(), listen, env, hostName),
        ClusterSettingsResolver.advertised(flags.cluster(), file.cluster()));
  }

  private static TlsSettings tls(ConfigFile.TlsEntry entry) {
    if (entry == null) {
      return TlsSettings.NONE;
    }
    return new TlsSettings(
        Optional.ofNullable(entry.cert()).map(Path::of),
        Optional.ofNullable(entry.key()).map(Path::of),
        Boolean.TRUE.equals(entry.selfSigned()),
        entry.san() == null ? List.of() : entry.san());
  }

  private static AccessSettings access(ConfigFile.AccessEntry entry) {
    if (entry == null) {
      return AccessSettings.OPEN;
    }
    return new AccessSettings(
        Optional.ofNullable(entry.htpasswd()).map(Path::of),
        entry.allow() == null ? List.of() : entry.allow());
  }

  /** The disk budget from the flag, else the file; empty (unlimited) when neither sets one. */
  private static OptionalLong maxCacheSize(Optional<String> flag, String fromFile) {
    Optional<String> text = flag.or(() -> Optional.ofNullable(fromFile));
    if (text.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(ByteSize.parse(text.get()));
    } catch (ConfigException e) {
      throw new ConfigException("max-cache-size: " + e.getMessage());
    }
  }

  private static Map<String, UpstreamSettings> fileUpstreams(ConfigFile file) {
    Map<String, UpstreamSettings> upstreams = new LinkedHashMap<>();
    if (file.upstreams() == null || file.upstreams().isEmpty()) {
      upstreams.put(
          DOCKER_HUB,
          new UpstreamSettings(DOCKER_HUB, URI.create(DOCKER_HUB_URL), Optional.empty()));
      return upstreams;
    }
    file.upstreams()
        .forEach(
            (name, entry) -> {
              UpstreamSettings.checkName(name);
              if (entry == null || entry.url() == null) {
                throw new ConfigException("upstream " + name + " in the config file has no url");
              }
              upstreams.put(
                  name,
                  new UpstreamSettings(
                      name,
                      UpstreamSettings.parseUrl(name, entry.url()),
                      credentials(entry.username(), entry.password(), "upstream " + name),
                      caps(name, entry)));
            });
    return upstreams;
  }

  /**
   * The caps of a file upstream: {@code max-connections}, {@code queue-timeout}, {@code bandwidth}.
   */
  private static UpstreamCaps caps(String name, ConfigFile.UpstreamEntry entry) {
    UpstreamCaps caps = UpstreamCaps.NONE;
    if (entry.maxConnections() != null) {
      if (entry.maxConnections() < 1) {
        throw new ConfigException(
            "upstream " + name + ": max-connections must be at least 1: " + entry.maxConnections());
      }
      caps = caps.withMaxConnections(entry.maxConnections());
    }
    if (entry.queueTimeout() != null) {
      try {
        caps = caps.withQueueTimeout(Durations.parse(entry.queueTimeout()));
      } catch (ConfigException e) {
        throw new ConfigException("upstream " + name + " queue-timeout: " + e.getMessage());
      }
    }
    if (entry.bandwidth() != null) {
      caps = caps.withBandwidth(bandwidth(name, entry.bandwidth()));
    }
    return caps;
  }

  /**
   * Bytes per second, written as a size ({@code 10MB}, {@code 512KiB}), optionally with {@code /s}.
   */
  private static long bandwidth(String name, String text) {
    String size = text.strip();
    if (size.toLowerCase(java.util.Locale.ROOT).endsWith("/s")) {
      size = size.substring(0, size.length() - 2);
    }
    try {
      return ByteSize.parse(size);
    } catch (ConfigException e) {
      throw new ConfigException("upstream " + name + " bandwidth (per second): " + e.getMessage());
    }
  }

  private static void applyCredentialsFile(Map<String, UpstreamSettings> upstreams, Path file) {
    Map<String, Credentials> auths;
    try {
      auths = DockerConfigCredentials.load(file);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage(), e);
    }
    upstreams.replaceAll(
        (name, upstream) -> {
          Optional<Credentials> found =
              DockerConfigCredentials.lookup(auths, name)
                  .or(() -> DockerConfigCredentials.lookup(auths, upstream.url().getAuthority()));
          return found.isEmpty() ? upstream : upstream.withCredentials(found);
        });
  }

  private static void applyEnvironment(
      Map<String, UpstreamSettings> upstreams, Map<String, String> env) {
    Optional<Credentials> hub =
        credentials(env.get(ENV_USERNAME), env.get(ENV_TOKEN), ENV_USERNAME + "/" + ENV_TOKEN);
    UpstreamSettings dockerHub = upstreams.get(DOCKER_HUB);
    if (hub.isPresent() && dockerHub != null) {
      upstreams.put(DOCKER_HUB, dockerHub.withCredentials(hub));
    }
  }

  private static Optional<Credentials> credentials(String username, String password, String where) {
    boolean hasUser = username != null && !username.isEmpty();
    boolean hasPassword = password != null && !password.isEmpty();
    if (hasUser != hasPassword) {
      throw new ConfigException(where + ": username and password must be given together");
    }
    return hasUser ? Optional.of(new Credentials(username, password)) : Optional.empty();
  }

  private static String first(Optional<String> flag, String fromFile, String fallback) {
    return flag.orElse(fromFile != null ? fromFile : fallback);
  }
}
