package dev.stevedore.server.setup;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where nodes reach Stevedore: {@code http(s)://HOST[:PORT]}. It is written into shell scripts and
 * configuration files, so it is only ever made from a host that is a DNS name, an IPv4 address or a
 * bracketed IPv6 address, with an optional port: nothing that could quote, escape or end a line.
 */
public record MirrorAddress(String scheme, String authority) {
  private static final Pattern AUTHORITY =
      Pattern.compile(
          "([A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]{2,45}\\])"
              + "(:[0-9]{1,5})?");

  public MirrorAddress {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(authority, "authority");
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("scheme must be http or https: " + scheme);
    }
    if (!valid(authority)) {
      throw new IllegalArgumentException("not a host[:port]: " + authority);
    }
    authority = authority.toLowerCase(Locale.ROOT);
  }

  /**
   * The address a client used, from its {@code Host} header; empty when there is none or it is not
   * a plain {@code host[:port]}.
   */
  public static Optional<MirrorAddress> fromHost(Optional<String> host, boolean tls) {
    return host.map(String::strip)
        .filter(MirrorAddress::valid)
        .map(value -> new MirrorAddress(tls ? "https" : "http", value));
  }

  /** The address of an advertised URL ({@code http(s)://HOST[:PORT]}). */
  public static MirrorAddress of(URI url) {
    return new MirrorAddress(url.getScheme().toLowerCase(Locale.ROOT), url.getRawAuthority());
  }

  private static boolean valid(String authority) {
    if (!AUTHORITY.matcher(authority).matches()) {
      return false;
    }
    int colon = authority.lastIndexOf(':');
    if (colon > authority.lastIndexOf(']')) {
      int port = Integer.parseInt(authority.substring(colon + 1));
      return port >= 1 && port <= 65535;
    }
    return true;
  }

  /** {@code http(s)://HOST[:PORT]}. */
  public String url() {
    return scheme + "://" + authority;
  }

  public boolean tls() {
    return scheme.equals("https");
  }

  @Override
  public String toString() {
    return url();
  }
}
