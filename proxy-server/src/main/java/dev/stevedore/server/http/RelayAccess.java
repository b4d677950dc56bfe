package dev.stevedore.server.http;

import java.util.Optional;

/**
 * Whether a request to the relay endpoint comes from a peer replica of this cluster: it must carry
 * proof of the cluster's shared secret. Without a cluster there is no relay endpoint at all.
 */
@FunctionalInterface
public interface RelayAccess {
  /**
   * Whether {@code method} of {@code uri} (path and query as sent) with this {@code Authorization}
   * header value comes from a peer. Never throws; never blocks.
   */
  boolean admits(String method, String uri, Optional<String> authorization);
}
