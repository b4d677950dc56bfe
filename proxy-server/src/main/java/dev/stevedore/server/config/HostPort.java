package dev.stevedore.server.config;

import java.util.Objects;

/** A listen address: {@code HOST:PORT}, {@code :PORT} (all interfaces) or {@code [::1]:PORT}. */
public record HostPort(String host, int port) {

  public HostPort {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new ConfigException("invalid port " + port + " (0-65535)");
    }
  }

  public static HostPort parse(String text) {
    String value = text == null ? "" : text.trim();
    int colon = value.lastIndexOf(':');
    if (colon < 0) {
      throw new ConfigException("invalid listen address '" + text + "' (use HOST:PORT)");
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      return new HostPort(
          host.isEmpty() ? "0.0.0.0" : host, Integer.parseInt(value.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new ConfigException("invalid listen address '" + text + "' (use HOST:PORT)");
    }
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
