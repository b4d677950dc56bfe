package dev.stevedore.server.http;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many connections each client holds open, with a cap per client: one address cannot take every
 * file descriptor and leave none for other clients and probes. A client is forgotten when its last
 * connection closes, so memory follows the clients connected now.
 */
final class ClientConnections {

  private final int maxPerClient;
  private final Map<String, Integer> open = new ConcurrentHashMap<>();

  ClientConnections(int maxPerClient) {
    if (maxPerClient < 1) {
      throw new IllegalArgumentException("maxPerClient must be at least 1: " + maxPerClient);
    }
    this.maxPerClient = maxPerClient;
  }

  int maxPerClient() {
    return maxPerClient;
  }

  /**
   * Counts a new connection of {@code client} if it stays within the cap; {@code false} (nothing
   * counted) when the client already holds the maximum. Each {@code true} needs one {@link
   * #closed}.
   */
  boolean tryOpen(String client) {
    Objects.requireNonNull(client, "client");
    boolean[] admitted = {false};
    open.compute(
        client,
        (key, count) -> {
          int current = count == null ? 0 : count;
          if (current >= maxPerClient) {
            return count;
          }
          admitted[0] = true;
          return current + 1;
        });
    return admitted[0];
  }

  /** One connection of {@code client} that {@link #tryOpen} admitted has closed. */
  void closed(String client) {
    open.computeIfPresent(client, (key, count) -> count <= 1 ? null : count - 1);
  }

  /** Connections {@code client} holds open now. */
  int openBy(String client) {
    return open.getOrDefault(client, 0);
  }

  /** Clients holding at least one connection now. */
  int clients() {
    return open.size();
  }
}
