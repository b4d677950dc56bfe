package dev.stevedore.server.status;

import dev.stevedore.storage.text.Printable;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The clients that pulled since start, by address, so the status page shows which nodes are set up:
 * when each last pulled a manifest, how often, and with what. Memory stays bounded: at most {@code
 * capacity} addresses are tracked, and a new address arriving when full replaces the one seen least
 * recently. Thread-safe; recording a known address is lock-free, so event loops do not contend on
 * it.
 */
public final class RecentClients {
  /** Addresses tracked by default: a classroom or a small cluster, with room to spare. */
  public static final int DEFAULT_CAPACITY = 256;

  /** The longest client name kept, in characters. */
  static final int MAX_PRODUCT_CHARS = 40;

  private final int capacity;
  private final Clock clock;
  private final Map<String, Client> byAddress = new ConcurrentHashMap<>();

  /** One tracked address; its fields are written by any event loop, read by the status page. */
  private static final class Client {
    final LongAdder pulls = new LongAdder();
    volatile long lastPullMillis;

    /** The {@code User-Agent} last sent, as sent; {@link #product} is made from it once. */
    volatile String userAgent = "";

    volatile String product = "";
  }

  /**
   * One client as the status page lists it.
   *
   * @param address its IP address, as the socket names it
   * @param product the first token of its {@code User-Agent}, made printable and cut; empty when it
   *     sent none
   * @param pulls manifest GETs since start (or since it was last forgotten to make room)
   * @param lastPull when it last pulled a manifest
   */
  public record RecentClient(String address, String product, long pulls, Instant lastPull) {
    public RecentClient {
      Objects.requireNonNull(address, "address");
      Objects.requireNonNull(product, "product");
      Objects.requireNonNull(lastPull, "lastPull");
    }
  }

  public RecentClients(Clock clock) {
    this(DEFAULT_CAPACITY, clock);
  }

  public RecentClients(int capacity, Clock clock) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Counts one manifest GET by the client at {@code address}, which sent {@code userAgent}. */
  public void record(String address, Optional<String> userAgent) {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(userAgent, "userAgent");
    Client client = byAddress.get(address);
    if (client == null) {
      client = track(address);
    }
    client.lastPullMillis = clock.millis();
    client.pulls.increment();
    String sent = userAgent.orElse("");
    if (!sent.equals(client.userAgent)) { // a client sends the same one every time: parse it once
      client.product = product(sent);
      client.userAgent = sent;
    }
  }

  /** Starts tracking a new address, making room first; rare, so it may take the lock. */
  private synchronized Client track(String address) {
    Client client = byAddress.get(address);
    if (client == null) {
      if (byAddress.size() >= capacity) {
        evictLeastRecent();
      }
      client = new Client();
      client.lastPullMillis = clock.millis();
      byAddress.put(address, client);
    }
    return client;
  }

  private void evictLeastRecent() {
    byAddress.entrySet().stream()
        .min(Comparator.comparingLong(entry -> entry.getValue().lastPullMillis))
        .ifPresent(entry -> byAddress.remove(entry.getKey()));
  }

  /** The {@code limit} clients that pulled most recently, most recent first. */
  public List<RecentClient> recent(int limit) {
    return byAddress.entrySet().stream()
        .map(
            entry ->
                new RecentClient(
                    entry.getKey(),
                    entry.getValue().product,
                    entry.getValue().pulls.sum(),
                    Instant.ofEpochMilli(entry.getValue().lastPullMillis)))
        .sorted(
            Comparator.comparing(RecentClient::lastPull)
                .reversed()
                .thenComparing(RecentClient::address))
        .limit(limit)
        .toList();
  }

  /** How many tracked clients pulled at or after {@code since}. */
  public int pulledSince(Instant since) {
    long millis = since.toEpochMilli();
    return (int)
        byAddress.values().stream().filter(client -> client.lastPullMillis >= millis).count();
  }

  /**
   * The product a {@code User-Agent} names first ({@code containerd/1.6.20}, {@code skopeo/1.9}):
   * its first token, control characters masked, cut to {@value #MAX_PRODUCT_CHARS} characters. A
   * client writes the header, so it is shown only as escaped text.
   */
  static String product(String userAgent) {
    String stripped = userAgent.strip();
    int end = 0;
    while (end < stripped.length() && !Character.isWhitespace(stripped.charAt(end))) {
      end++;
    }
    return Printable.masked(stripped.substring(0, end), MAX_PRODUCT_CHARS);
  }
}
