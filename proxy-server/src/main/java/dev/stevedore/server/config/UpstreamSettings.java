package dev.stevedore.server.config;

import dev.stevedore.core.upstream.Credentials;
import dev.stevedore.core.upstream.UpstreamCaps;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One named upstream registry: {@code docker.io} at {@code https://registry-1.docker.io}, with
 * optional credentials and caps on connections and bandwidth.
 */
public record UpstreamSettings(
    String name, URI url, Optional<Credentials> credentials, UpstreamCaps caps) {

  private static final Pattern REGISTRY_NAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?");

  public UpstreamSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(caps, "caps");
  }

  /** An upstream without caps. */
  public UpstreamSettings(String name, URI url, Optional<Credentials> credentials) {
    this(name, url, credentials, UpstreamCaps.NONE);
  }

  /** The same upstream with other credentials. */
  public UpstreamSettings withCredentials(Optional<Credentials> credentials) {
    return new UpstreamSettings(name, url, credentials, caps);
  }

  /** Validates a registry name such as {@code docker.io} or {@code 127.0.0.1:5001}. */
  public static String checkName(String name) {
    if (name == null || !REGISTRY_NAME.matcher(name).matches()) {
      throw new ConfigException(
          "invalid upstream name '" + name + "' (use a registry host such as docker.io)");
    }
    return name;
  }

  /** Parses an upstream URL: http or https, a host, no path, query or fragment. */
  public static URI parseUrl(String name, String text) {
    URI uri;
    try {
      uri = new URI(text == null ? "" : text.trim());
    } catch (java.net.URISyntaxException e) {
      throw invalidUrl(name, text);
    }
    String scheme =
        uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    boolean web = scheme.equals("http") || scheme.equals("https");
    boolean bare =
        (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
            && uri.getRawQuery() == null
            && uri.getRawFragment() == null
            && uri.getRawUserInfo() == null;
    if (!web || uri.getHost() == null || !bare) {
      throw invalidUrl(name, text);
    }
    return URI.create(scheme + "://" + uri.getRawAuthority());
  }

  /** Parses {@code NAME=URL} as given to {@code --upstream}. */
  public static UpstreamSettings parseFlag(String text) {
    int equals = text.indexOf('=');
    if (equals <= 0) {
      throw new ConfigException(
          "invalid --upstream '"
              + text
              + "' (use NAME=URL, e.g. docker.io=https://registry-1.docker.io)");
    }
    String name = checkName(text.substring(0, equals));
    return new UpstreamSettings(name, parseUrl(name, text.substring(equals + 1)), Optional.empty());
  }

  private static ConfigException invalidUrl(String name, String text) {
    return new ConfigException(
        "invalid URL '" + text + "' for upstream " + name + " (use http(s)://host[:port])");
  }
}
