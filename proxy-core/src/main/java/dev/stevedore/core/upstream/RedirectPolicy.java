package dev.stevedore.core.upstream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an upstream may send us with a redirect. A hostile upstream must not turn Stevedore into a
 * probe of its own network (blind SSRF) or make it wait on itself, so a redirect is refused when
 * any address its host resolves to is
 *
 * <ul>
 *   <li>Stevedore's own listen address (with a wildcard listen address: any local address on the
 *       listen port);
 *   <li>link-local (169.254.0.0/16 with the cloud metadata service, fe80::/10) or multicast, from
 *       any upstream;
 *   <li>more internal than the upstream itself: from a public upstream nothing private (RFC 1918,
 *       100.64.0.0/10, fc00::/7) or loopback (127.0.0.0/8, ::1, 0.0.0.0/8, ::); from an upstream on
 *       a private address nothing loopback. An upstream on loopback (a registry on the same host)
 *       may redirect anywhere but link-local and Stevedore itself.
 * </ul>
 *
 * Checks run on a resolver thread (names are resolved, interfaces listed), never on the caller's
 * (an event loop's) thread. The HTTP client resolves the name again when it connects; a name whose
 * answers change between the two (DNS rebinding) is not caught here.
 */
public final class RedirectPolicy {

  /** Resolves a host name (or literal) to all its addresses; blocking. */
  @FunctionalInterface
  public interface Resolver {
    List<InetAddress> resolve(String host) throws UnknownHostException;
  }

  /** How far inside the network an address is; a redirect may only go as far in as its source. */
  enum Reach {
    LOOPBACK,
    PRIVATE,
    PUBLIC
  }

  private static final Logger log = LoggerFactory.getLogger(RedirectPolicy.class);
  private static final ExecutorService RESOLVERS =
      Executors.newCachedThreadPool(daemonThreads("stevedore-resolve"));

  private final Resolver resolver;
  private final Executor executor;
  private volatile Optional<InetSocketAddress> self = Optional.empty();

  public RedirectPolicy(Resolver resolver, Executor executor) {
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /** With the system's resolver on a small pool of resolver threads. */
  public static RedirectPolicy system() {
    return new RedirectPolicy(host -> List.of(InetAddress.getAllByName(host)), RESOLVERS);
  }

  /** Tells the policy where Stevedore listens, once it does, so redirects there are refused. */
  public void listeningOn(InetSocketAddress address) {
    this.self = Optional.of(Objects.requireNonNull(address, "address"));
  }

  /**
   * Completes when {@code upstream} (the configured upstream URL) may send us to {@code target},
   * else fails with an {@link UpstreamProtocolException} saying why (logged once, with the target's
   * scheme, host and port only: its path and query may carry a presigned credential).
   */
  CompletableFuture<Void> check(String upstreamName, URI upstream, URI target) {
    return CompletableFuture.runAsync(() -> verdict(upstreamName, upstream, target), executor);
  }

  private void verdict(String upstreamName, URI upstream, URI target) {
    Optional<String> refusal = refusal(upstream, target);
    if (refusal.isPresent()) {
      String where = target.getScheme() + "://" + host(target) + ":" + port(target);
      log.warn(
          "upstream {}: refused to follow it to {} (a redirect or token realm): {}",
          upstreamName,
          where,
          refusal.get());
      throw new UpstreamProtocolException(
          "upstream pointed to " + where + ", refused: " + refusal.get());
    }
  }

  /** Why {@code upstream} may not send us to {@code target}, or empty when it may. Blocking. */
  Optional<String> refusal(URI upstream, URI target) {
    List<InetAddress> targets;
    try {
      targets = resolver.resolve(host(target));
    } catch (UnknownHostException e) {
      return Optional.empty(); // the client will fail to connect on its own, nowhere in particular
    }
    Reach allowed = reachOf(upstream);
    int port = port(target);
    for (InetAddress address : targets) {
      if (isSelf(address, port)) {
        return Optional.of("it is Stevedore's own listen address");
      }
      if (address.isLinkLocalAddress() || address.isMulticastAddress()) {
        return Optional.of("it resolves to a link-local or multicast address");
      }
      Reach reach = reach(address);
      if (reach.compareTo(allowed) < 0) {
        return Optional.of(
            "it resolves to a "
                + reach.name().toLowerCase(Locale.ROOT)
                + " address and the upstream is not on one");
      }
    }
    return Optional.empty();
  }

  /** The most internal reach among the upstream's own addresses. */
  private Reach reachOf(URI upstream) {
    try {
      Reach most = Reach.PUBLIC;
      for (InetAddress address : resolver.resolve(host(upstream))) {
        Reach reach = reach(address);
        if (reach.compareTo(most) < 0) {
          most = reach;
        }
      }
      return most;
    } catch (UnknownHostException e) {
      return Reach.PUBLIC; // the strictest: nothing internal
    }
  }

  static Reach reach(InetAddress address) {
    if (address.isLoopbackAddress() || address.isAnyLocalAddress() || isThisNetwork(address)) {
      return Reach.LOOPBACK;
    }
    if (address.isSiteLocalAddress() || isSharedOrUniqueLocal(address)) {
      return Reach.PRIVATE;
    }
    return Reach.PUBLIC;
  }

  /** 0.0.0.0/8: "this network", which Linux connects to the local host. */
  private static boolean isThisNetwork(InetAddress address) {
    byte[] bytes = address.getAddress();
    return bytes.length == 4 && bytes[0] == 0;
  }

  /** 100.64.0.0/10 (carrier-grade NAT) and fc00::/7 (IPv6 unique local). */
  private static boolean isSharedOrUniqueLocal(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length == 4) {
      return (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64;
    }
    return (bytes[0] & 0xfe) == 0xfc;
  }

  private boolean isSelf(InetAddress address, int port) {
    Optional<InetSocketAddress> listening = self;
    if (listening.isEmpty() || listening.get().getPort() != port) {
      return false;
    }
    InetAddress bound = listening.get().getAddress();
    if (bound == null) {
      return false;
    }
    if (!bound.isAnyLocalAddress()) {
      return bound.equals(address);
    }
    return reach(address) == Reach.LOOPBACK || isLocalInterface(address);
  }

  private static boolean isLocalInterface(InetAddress address) {
    try {
      return NetworkInterface.getByInetAddress(address) != null;
    } catch (SocketException e) {
      throw new UncheckedIOException(new IOException("cannot list network interfaces", e));
    }
  }

  /** The URI's host without IPv6 brackets. */
  private static String host(URI uri) {
    String host = uri.getHost() == null ? "" : uri.getHost();
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static int port(URI uri) {
    if (uri.getPort() >= 0) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
