package dev.stevedore.server.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Resolves the {@link ClusterSettings} of {@code serve}: {@code --cluster-secret-file} and {@code
 * --advertise} override {@code secret-file} and {@code advertise} in the config file's {@code
 * cluster:} section. Without a secret there is no cluster. Replicas act as one cache through the
 * shared store, so a secret without a store is a mistake worth stopping for. An advertised URL
 * without a cluster is the address nodes' setup scripts name ({@link #advertised}).
 */
public final class ClusterSettingsResolver {

  /** The environment variable the pod IP is passed in (Kubernetes' downward API). */
  public static final String ENV_POD_IP = "POD_IP";

  /** Larger files are not secrets but mistakes (a key store, a log), and are not read whole. */
  static final long MAX_SECRET_FILE_BYTES = 64 * 1024;

  private ClusterSettingsResolver() {}

  /**
   * The cluster settings, reading the secret file now.
   *
   * @param hasStore whether a shared store is configured
   * @param listen the listen address, whose port the default advertised URL uses
   * @param env the environment ({@value #ENV_POD_IP})
   * @param hostName this machine's host name, for the default when there is no pod IP
   */
  public static Optional<ClusterSettings> resolve(
      ClusterFlags flags,
      ConfigFile.ClusterEntry entry,
      boolean hasStore,
      HostPort listen,
      Map<String, String> env,
      Supplier<String> hostName) {
    ConfigFile.ClusterEntry file = entry == null ? new ConfigFile.ClusterEntry(null, null) : entry;
    Optional<Path> secretFile =
        flags.secretFile().or(() -> Optional.ofNullable(file.secretFile()).map(Path::of));
    Optional<String> advertise = flags.advertise().or(() -> Optional.ofNullable(file.advertise()));
    if (secretFile.isEmpty()) {
      return Optional.empty();
    }
    if (!hasStore) {
      throw new ConfigException(
          "cluster-secret-file needs a store: replicas share their cache through it; give --store"
              + " s3://BUCKET[/PREFIX] (or url in the config file's store: section)");
    }
    byte[] secret = readSecret(secretFile.get());
    URI url =
        advertise
            .map(ClusterSettingsResolver::advertise)
            .orElseGet(() -> defaultAdvertise(listen, env, hostName));
    return Optional.of(new ClusterSettings(secret, url));
  }

  /**
   * The advertised URL as given ({@code --advertise}, else the config file's), without a default:
   * the address setup scripts point nodes at, when given.
   */
  public static Optional<URI> advertised(ClusterFlags flags, ConfigFile.ClusterEntry entry) {
    return flags
        .advertise()
        .or(() -> Optional.ofNullable(entry).map(ConfigFile.ClusterEntry::advertise))
        .map(ClusterSettingsResolver::advertise);
  }

  /** This machine's host name, {@code localhost} when it has none that resolves. */
  public static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /**
   * The file's bytes without one final newline ({@code echo} and editors add one). The content is
   * never put in a message.
   */
  static byte[] readSecret(Path file) {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_SECRET_FILE_BYTES) {
        throw new ConfigException(
            "cluster-secret-file: "
                + file
                + " is larger than "
                + MAX_SECRET_FILE_BYTES
                + " bytes; it should hold the secret alone");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("cluster-secret-file: " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException(
          "cluster-secret-file: cannot read "
              + file
              + ": "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }
    int length = bytes.length;
    if (length > 0 && bytes[length - 1] == '\n') {
      length--;
      if (length > 0 && bytes[length - 1] == '\r') {
        length--;
      }
    }
    byte[] secret = Arrays.copyOf(bytes, length);
    Arrays.fill(bytes, (byte) 0);
    if (secret.length < ClusterSettings.MIN_SECRET_BYTES) {
      throw new ConfigException(
          "cluster-secret-file: "
              + file
              + " holds "
              + secret.length
              + " bytes; the cluster secret needs at least "
              + ClusterSettings.MIN_SECRET_BYTES
              + " (e.g. openssl rand -hex 32 > FILE)");
    }
    return secret;
  }

  /**
   * {@code http://POD_IP:PORT} when the environment has a pod IP; else the listen address when it
   * names one host (peers can reach nothing else there); else {@code http://HOSTNAME:PORT}.
   */
  private static boolean isWildcard(String host) {
    return host.isEmpty()
        || host.equals("0.0.0.0")
        || host.equals("::")
        || host.equals("[::]")
        || host.equals("*");
  }

  static URI defaultAdvertise(HostPort listen, Map<String, String> env, Supplier<String> hostName) {
    String podIp = env.get(ENV_POD_IP);
    String host;
    if (podIp != null && !podIp.isBlank()) {
      host = podIp.strip();
    } else if (!isWildcard(listen.host())) {
      host = listen.host();
    } else {
      host = hostName.get();
    }
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    String text = "http://" + host + ":" + listen.port();
    try {
      return advertise(text);
    } catch (ConfigException e) {
      throw new ConfigException(
          "advertise: cannot make the default "
              + S3Location.shown(text)
              + " a URL; give --advertise http://HOST:PORT");
    }
  }

  /** An {@code http(s)://HOST[:PORT]} URL without user info, path, query or fragment. */
  static URI advertise(String text) {
    URI uri;
    try {
      uri = new URI(text.strip());
    } catch (URISyntaxException e) {
      throw new ConfigException("advertise: invalid URL " + S3Location.shown(text));
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new ConfigException(
          "advertise: " + S3Location.shown(text) + " must be an http:// or https:// URL");
    }
    if (uri.getHost() == null) {
      throw new ConfigException("advertise: " + S3Location.shown(text) + " names no host");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (uri.getRawUserInfo() != null
        || !path.isEmpty() && !path.equals("/")
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new ConfigException(
          "advertise: "
              + S3Location.shown(text)
              + " must be scheme, host and port only (no user, path, query or fragment)");
    }
    try {
      return new URI(scheme, null, uri.getHost(), uri.getPort(), null, null, null);
    } catch (URISyntaxException e) {
      throw new ConfigException("advertise: invalid URL " + S3Location.shown(text));
    }
  }
}
