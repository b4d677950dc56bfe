package dev.stevedore.core.upstream;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One upstream registry: its name as clients know it ({@code docker.io}, {@code ghcr.io}, {@code
 * 127.0.0.1:5001}), the URL its API lives at ({@code https://registry-1.docker.io}), optional
 * credentials, the connect timeout, the time allowed until response headers arrive, and the caps on
 * how much of the line it may use.
 */
public record UpstreamConfig(
    String name,
    URI url,
    Optional<Credentials> credentials,
    Duration connectTimeout,
    Duration requestTimeout,
    UpstreamCaps caps) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  public UpstreamConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(caps, "caps");
    if (name.isBlank()) {
      throw new IllegalArgumentException("upstream name is blank");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http") || url.getHost() == null) {
      throw new IllegalArgumentException("upstream " + name + " needs an http(s) URL: " + url);
    }
    if (url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "upstream " + name + " URL must not have user info, query or fragment: " + url);
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive: " + requestTimeout);
    }
  }

  /** An upstream without caps. */
  public UpstreamConfig(
      String name,
      URI url,
      Optional<Credentials> credentials,
      Duration connectTimeout,
      Duration requestTimeout) {
    this(name, url, credentials, connectTimeout, requestTimeout, UpstreamCaps.NONE);
  }

  /** An anonymous upstream with the default timeouts. */
  public static UpstreamConfig of(String name, URI url) {
    return new UpstreamConfig(
        name, url, Optional.empty(), DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
  }

  public UpstreamConfig withCredentials(Credentials credentials) {
    Objects.requireNonNull(credentials, "credentials");
    return new UpstreamConfig(
        name, url, Optional.of(credentials), connectTimeout, requestTimeout, caps);
  }

  public UpstreamConfig withTimeouts(Duration connectTimeout, Duration requestTimeout) {
    return new UpstreamConfig(name, url, credentials, connectTimeout, requestTimeout, caps);
  }

  public UpstreamConfig withCaps(UpstreamCaps caps) {
    return new UpstreamConfig(name, url, credentials, connectTimeout, requestTimeout, caps);
  }

  /** The URL of an API path such as {@code /v2/library/alpine/manifests/3.19}. */
  URI resolve(String apiPath) {
    String base = url.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return URI.create(base + apiPath);
  }
}
