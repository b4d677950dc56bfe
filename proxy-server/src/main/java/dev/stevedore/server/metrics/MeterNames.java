package dev.stevedore.server.metrics;

/** Every meter Stevedore publishes, named once. Prometheus adds unit suffixes such as _total. */
public enum MeterNames {
  REQUESTS("stevedore.requests", "Client requests by route, method, status and cache outcome"),
  BYTES_SERVED("stevedore.served.bytes", "Body bytes sent to clients, by cache outcome"),
  UPSTREAM_REQUESTS(
      "stevedore.upstream.requests", "Requests to upstreams by upstream, kind and status"),
  UPSTREAM_BYTES("stevedore.upstream.fetched.bytes", "Blob bytes fetched from upstreams"),
  DIGEST_MISMATCHES(
      "stevedore.upstream.digest.mismatches",
      "Fetched blobs discarded because their digest did not verify"),
  INFLIGHT_FETCHES("stevedore.fetches.inflight", "Blob downloads from upstreams in progress"),
  RATELIMIT_LIMIT(
      "stevedore.upstream.ratelimit.limit",
      "Pull budget the upstream last stated (ratelimit-limit)"),
  RATELIMIT_REMAINING(
      "stevedore.upstream.ratelimit.remaining",
      "Pulls left the upstream last stated (ratelimit-remaining)"),
  CACHE_SIZE("stevedore.cache.size.bytes", "Bytes of blobs in the cache"),
  CACHE_BLOBS("stevedore.cache.blobs", "Blobs in the cache"),
  CACHE_BUDGET("stevedore.cache.budget.bytes", "The cache's disk budget (0 when unlimited)"),
  EVICTIONS("stevedore.cache.evictions", "Blobs evicted to keep the cache within its budget"),
  STORE_REQUESTS(
      "stevedore.store.requests",
      "Requests to the shared object store by operation and outcome (ok, absent, conflict, error)"),
  STORE_BYTES(
      "stevedore.store.bytes",
      "Body bytes sent to (PUT, upload part) and received from (GET) the shared object store"),
  CONNECTIONS_REFUSED(
      "stevedore.connections.refused",
      "Client connections closed on arrival: their address already held its maximum");

  private final String meterName;
  private final String description;

  MeterNames(String meterName, String description) {
    this.meterName = meterName;
    this.description = description;
  }

  public String meterName() {
    return meterName;
  }

  public String description() {
    return description;
  }
}
