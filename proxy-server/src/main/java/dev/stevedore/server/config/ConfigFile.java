package dev.stevedore.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The YAML configuration file as written; every key is optional and flags override it.
 *
 * <pre>
 * listen: 0.0.0.0:5000
 * data: /var/lib/stevedore
 * tag-ttl: 5m
 * credentials-file: /etc/stevedore/config.json
 * default-upstream: docker.io
 * offline: false
 * max-cache-size: 50GiB
 * max-connections-per-client: 256   # connections one client address may hold open
 * upstreams:
 *   docker.io:
 *     url: https://registry-1.docker.io
 *     username: me
 *     password: dckr_pat_...
 *     max-connections: 4     # at most 4 requests to it at once; more wait, then get 429
 *     queue-timeout: 10s     # how long they wait (default 10s)
 *     bandwidth: 10MB        # bytes per second for all its blob downloads together
 * tls:
 *   cert: /etc/stevedore/tls.crt   # PEM chain, leaf first; with key
 *   key: /etc/stevedore/tls.key
 *   self-signed: false             # or true: a local CA under DATA/tls/ (not with cert/key)
 *   san: [cache.lan, 10.0.0.5]     # extra names of the self-signed certificate
 * access:
 *   htpasswd: /etc/stevedore/htpasswd   # clients sign in (bcrypt entries)
 *   allow: [docker.io/library/*, ghcr.io/myorg/**]
 * store:                          # the shared store; credentials come from the AWS chain only
 *   url: s3://stevedore-cache/prod  # s3://BUCKET[/PREFIX], as --store
 *   s3-endpoint: http://minio:9000  # an S3-compatible server; path-style addressing
 *   s3-region: us-east-1
 *   s3-public-endpoint: https://s3.example.com   # what clients reach, for redirects
 *   blob-redirect: true
 *   max-store-size: 2TiB
 * cluster:                        # replicas sharing the store act as one cache
 *   secret-file: /etc/stevedore/cluster/secret   # at least 32 bytes, the same on every replica
 *   advertise: http://10.0.0.5:5000   # how peers reach this one (default: POD_IP, else host name)
 * </pre>
 */
public record ConfigFile(
    String listen,
    String data,
    String tagTtl,
    String credentialsFile,
    String defaultUpstream,
    String connectTimeout,
    String requestTimeout,
    Boolean offline,
    Map<String, UpstreamEntry> upstreams,
    String maxCacheSize,
    TlsEntry tls,
    AccessEntry access,
    Integer maxConnectionsPerClient,
    StoreEntry store,
    ClusterEntry cluster) {

  public static final ConfigFile EMPTY =
      new ConfigFile(
          null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

  /** A file without a {@code cluster:} section. */
  public ConfigFile(
      String listen,
      String data,
      String tagTtl,
      String credentialsFile,
      String defaultUpstream,
      String connectTimeout,
      String requestTimeout,
      Boolean offline,
      Map<String, UpstreamEntry> upstreams,
      String maxCacheSize,
      TlsEntry tls,
      AccessEntry access,
      Integer maxConnectionsPerClient,
      StoreEntry store) {
    this(
        listen,
        data,
        tagTtl,
        credentialsFile,
        defaultUpstream,
        connectTimeout,
        requestTimeout,
        offline,
        upstreams,
        maxCacheSize,
        tls,
        access,
        maxConnectionsPerClient,
        store,
        null);
  }

  /** A file without a {@code store:} section. */
  public ConfigFile(
      String listen,
      String data,
      String tagTtl,
      String credentialsFile,
      String defaultUpstream,
      String connectTimeout,
      String requestTimeout,
      Boolean offline,
      Map<String, UpstreamEntry> upstreams,
      String maxCacheSize,
      TlsEntry tls,
      AccessEntry access,
      Integer maxConnectionsPerClient) {
    this(
        listen,
        data,
        tagTtl,
        credentialsFile,
        defaultUpstream,
        connectTimeout,
        requestTimeout,
        offline,
        upstreams,
        maxCacheSize,
        tls,
        access,
        maxConnectionsPerClient,
        (StoreEntry) null);
  }

  /** A file without {@code max-cache-size}, {@code tls} or {@code access}. */
  public ConfigFile(
      String listen,
      String data,
      String tagTtl,
      String credentialsFile,
      String defaultUpstream,
      String connectTimeout,
      String requestTimeout,
      Boolean offline,
      Map<String, UpstreamEntry> upstreams) {
    this(
        listen,
        data,
        tagTtl,
        credentialsFile,
        defaultUpstream,
        connectTimeout,
        requestTimeout,
        offline,
        upstreams,
        null,
        null,
        null,
        null);
  }

  /** The {@code tls:} section. */
  public record TlsEntry(String cert, String key, Boolean selfSigned, java.util.List<String> san) {}

  /**
   * The {@code store:} section: the keys of {@code serve}'s store flags, with {@code url} for
   * {@code --store}. It has no credential keys on purpose; {@link #read} refuses them.
   */
  public record StoreEntry(
      String url,
      String s3Endpoint,
      String s3Region,
      String s3PublicEndpoint,
      Boolean blobRedirect,
      String maxStoreSize) {}

  /**
   * The {@code cluster:} section: the keys of {@code serve}'s cluster flags. The secret itself is
   * never in the file, only the path of the file that holds it.
   */
  public record ClusterEntry(String secretFile, String advertise) {}

  /** The {@code access:} section. */
  public record AccessEntry(String htpasswd, java.util.List<String> allow) {}

  /** One upstream registry in the file. */
  public record UpstreamEntry(
      String url,
      String username,
      String password,
      Integer maxConnections,
      String queueTimeout,
      String bandwidth) {

    /** An entry without caps. */
    public UpstreamEntry(String url, String username, String password) {
      this(url, username, password, null, null, null);
    }
  }

  /** Reads the file; any problem is a {@link ConfigException} naming the file. */
  public static ConfigFile read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    return ConfigFileReader.read(file, text);
  }
}
