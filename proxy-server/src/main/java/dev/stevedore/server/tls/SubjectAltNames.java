package dev.stevedore.server.tls;

import dev.stevedore.server.config.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * The names a server certificate is valid for: DNS names and IP addresses, as clients dial them.
 * Names are kept normalised (lower case; IP addresses in Java's canonical text), so two sets
 * compare equal whenever a certificate would cover the same names.
 */
record SubjectAltNames(SortedSet<String> names) {
  private static final int DNS_GENERAL_NAME = 2;
  private static final int IP_GENERAL_NAME = 7;

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]+");

  SubjectAltNames {
    names = Collections.unmodifiableSortedSet(new TreeSet<>(names));
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a certificate needs at least one name");
    }
  }

  /**
   * The names of a self-signed server certificate: the listen host (unless it is a wildcard
   * address), {@code localhost}, the loopback addresses, the machine's host name (when known and
   * valid) and {@code extra}, which must all be valid.
   */
  static SubjectAltNames forServer(
      String listenHost, Optional<String> hostName, Collection<String> extra) {
    SortedSet<String> names = new TreeSet<>();
    names.add("localhost");
    names.add("127.0.0.1");
    names.add(normalise("::1"));
    String listen = stripBrackets(listenHost.trim());
    if (!listen.isEmpty() && !isWildcard(listen)) {
      names.add(normalise(listen));
    }
    hostName
        .map(String::trim)
        .filter(SubjectAltNames::isValid)
        .map(SubjectAltNames::normalise)
        .ifPresent(names::add);
    for (String name : extra) {
      String candidate = stripBrackets(name.trim());
      if (!isValid(candidate)) {
        throw new ConfigException(
            "invalid --tls-san '"
                + name.replaceAll("\\p{Cntrl}", "?")
                + "' (use a DNS name such as registry.example.com or an IP address)");
      }
      names.add(normalise(candidate));
    }
    return new SubjectAltNames(names);
  }

  /** This machine's host name, best effort (looked up once; empty when unknown). */
  static Optional<String> localHostName() {
    return LocalHost.NAME;
  }

  private static final class LocalHost {
    static final Optional<String> NAME = lookUp();

    private static Optional<String> lookUp() {
      try {
        return Optional.of(InetAddress.getLocalHost().getHostName())
            .map(String::trim)
            .filter(SubjectAltNames::isValid);
      } catch (UnknownHostException | SecurityException e) {
        return Optional.empty();
      }
    }
  }

  /** The DNS and IP names a certificate carries (none: an empty set, which never matches). */
  static Optional<SubjectAltNames> of(X509Certificate certificate) {
    Collection<List<?>> entries;
    try {
      entries = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return Optional.empty();
    }
    if (entries == null) {
      return Optional.empty();
    }
    SortedSet<String> names = new TreeSet<>();
    for (List<?> entry : entries) {
      int type = (Integer) entry.get(0);
      if ((type == DNS_GENERAL_NAME || type == IP_GENERAL_NAME)
          && entry.get(1) instanceof String s) {
        names.add(normalise(s));
      }
    }
    return names.isEmpty() ? Optional.empty() : Optional.of(new SubjectAltNames(names));
  }

  /** The names as the {@code subjectAltName} extension value. */
  GeneralNames toGeneralNames() {
    return new GeneralNames(
        names.stream()
            .map(
                name ->
                    isIpAddress(name)
                        ? new GeneralName(GeneralName.iPAddress, name)
                        : new GeneralName(GeneralName.dNSName, name))
            .toArray(GeneralName[]::new));
  }

  /** The first DNS name, for the certificate's common name. */
  String commonName() {
    return names.stream().filter(name -> !isIpAddress(name)).findFirst().orElse(names.first());
  }

  @Override
  public String toString() {
    return String.join(", ", names);
  }

  static boolean isValid(String name) {
    return isIpAddress(name) || isDnsName(name);
  }

  private static boolean isDnsName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.isEmpty() || lower.length() > 253) {
      return false;
    }
    String rest = lower.startsWith("*.") ? lower.substring(2) : lower;
    for (String label : rest.split("\\.", -1)) {
      if (!DNS_LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return !IPV4.matcher(rest).matches();
  }

  static boolean isIpAddress(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (IPV4.matcher(lower).matches()) {
      for (String part : lower.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return false;
        }
      }
      return true;
    }
    if (lower.indexOf(':') < 0 || !IPV6.matcher(lower).matches()) {
      return false;
    }
    try {
      InetAddress.getByName(lower); // a literal: parsed, never looked up
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static boolean isWildcard(String host) {
    return isIpAddress(host) && literal(host).isAnyLocalAddress();
  }

  private static String normalise(String name) {
    return isIpAddress(name) ? literal(name).getHostAddress() : name.toLowerCase(Locale.ROOT);
  }

  private static InetAddress literal(String ip) {
    try {
      return InetAddress.getByName(ip);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + ip, e);
    }
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
