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
      "Client connections closed on arrival: their address already held its maximum"),
  CLUSTER_RELAYED_BYTES(
      "stevedore.cluster.relayed.bytes",
      "Blob bytes relayed from a peer replica that downloaded them from the upstream, by upstream"),
  CLUSTER_RELAY_SERVED_BYTES(
      "stevedore.cluster.relay.served.bytes",
      "Blob bytes sent to peer replicas relaying a download this replica holds"),
  CLUSTER_TAKEOVERS(
      "stevedore.cluster.takeovers",
      "Downloads this replica took over from a replica that stopped renewing its lease"),
  CLUSTER_LEASES_HELD("stevedore.cluster.leases.held", "Download leases this replica holds now"),
  CLUSTER_LEASES_LOST(
      "stevedore.cluster.leases.lost",
      "Leases this replica lost while holding them: another replica presumed it dead");

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
