package dev.stevedore.core.metrics;

import dev.stevedore.storage.StoreMetrics;

/**
 * What the caching core reports for operators, behind an interface so the core knows no metrics
 * library. Tags stay bounded: upstream names come from configuration, kinds and outcomes from small
 * fixed sets, never a digest, tag or repository. It is also what the shared store's client reports
 * to ({@link StoreMetrics}), so one object carries both to the metrics library.
 */
public interface CacheMetrics extends StoreMetrics {

  /** One upstream HTTP exchange; {@code status} 0 means no answer (refused, timed out). */
  void upstreamRequest(String upstream, UpstreamKind kind, int status);

  /** Bytes of blob content received from an upstream. */
  void upstreamBytes(String upstream, long bytes);

  /** A fetched blob failed verification and was discarded. */
  void digestMismatch(String upstream);

  /** Bytes of blob content relayed from a peer replica that downloaded it from {@code upstream}. */
  default void relayedBytes(String upstream, long bytes) {}

  /** A lease of the cluster taken over from a replica that stopped renewing it. */
  default void takeover() {}

  /** Reports nothing unless overridden: implementations without a store need not care. */
  @Override
  default void request(String operation, String outcome, long bytesSent, long bytesReceived) {}

  /** Reports nothing; for tests and tools. */
  CacheMetrics NONE =
      new CacheMetrics() {
        @Override
        public void upstreamRequest(String upstream, UpstreamKind kind, int status) {}

        @Override
        public void upstreamBytes(String upstream, long bytes) {}

        @Override
        public void digestMismatch(String upstream) {}
      };
}
