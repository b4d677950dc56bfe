package dev.stevedore.server.status;

import dev.stevedore.core.cache.PullStats.ImagePulls;
import dev.stevedore.core.upstream.RateLimit;
import dev.stevedore.server.status.RecentClients.RecentClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The numbers the status page shows, read at one instant. Counters count since start.
 *
 * @param takenAt when the numbers were read
 * @param uptime how long the proxy has been counting
 * @param cache disk use and budget, each absent when not published
 * @param requests manifest and blob requests by cache outcome
 * @param bytesSaved body bytes served without downloading them for the request (hit, coalesced,
 *     stale)
 * @param bytesFetched blob bytes downloaded from every upstream
 * @param inFlightDownloads blob downloads from upstreams in progress
 * @param upstreams each upstream's last stated pull budget, by name
 * @param totalPulls manifest GETs answered
 * @param topImages the most pulled images, most first
 * @param store the shared store's state and traffic; empty without {@code --store}
 * @param cluster this replica's leases and its traffic with peers; empty without a cluster
 * @param nodes the clients that pulled recently
 */
public record StatusSnapshot(
    Instant takenAt,
    Duration uptime,
    CacheUsage cache,
    Outcomes requests,
    long bytesSaved,
    long bytesFetched,
    int inFlightDownloads,
    List<UpstreamBudget> upstreams,
    long totalPulls,
    List<ImagePulls> topImages,
    Optional<StoreTraffic> store,
    Optional<ClusterTraffic> cluster,
    Nodes nodes) {

  public StatusSnapshot {
    Objects.requireNonNull(takenAt, "takenAt");
    Objects.requireNonNull(uptime, "uptime");
    Objects.requireNonNull(cache, "cache");
    Objects.requireNonNull(requests, "requests");
    upstreams = List.copyOf(upstreams);
    topImages = List.copyOf(topImages);
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(nodes, "nodes");
  }

  /** The numbers of a proxy whose clients nobody tracks. */
  public StatusSnapshot(
      Instant takenAt,
      Duration uptime,
      CacheUsage cache,
      Outcomes requests,
      long bytesSaved,
      long bytesFetched,
      int inFlightDownloads,
      List<UpstreamBudget> upstreams,
      long totalPulls,
      List<ImagePulls> topImages,
      Optional<StoreTraffic> store,
      Optional<ClusterTraffic> cluster) {
    this(
        takenAt,
        uptime,
        cache,
        requests,
        bytesSaved,
        bytesFetched,
        inFlightDownloads,
        upstreams,
        totalPulls,
        topImages,
        store,
        cluster,
        Nodes.NONE);
  }

  /** The numbers of a proxy without a cluster. */
  public StatusSnapshot(
      Instant takenAt,
      Duration uptime,
      CacheUsage cache,
      Outcomes requests,
      long bytesSaved,
      long bytesFetched,
      int inFlightDownloads,
      List<UpstreamBudget> upstreams,
      long totalPulls,
      List<ImagePulls> topImages,
      Optional<StoreTraffic> store) {
    this(
        takenAt,
        uptime,
        cache,
        requests,
        bytesSaved,
        bytesFetched,
        inFlightDownloads,
        upstreams,
        totalPulls,
        topImages,
        store,
        Optional.empty());
  }

  /** The numbers of a proxy without a shared store. */
  public StatusSnapshot(
      Instant takenAt,
      Duration uptime,
      CacheUsage cache,
      Outcomes requests,
      long bytesSaved,
      long bytesFetched,
      int inFlightDownloads,
      List<UpstreamBudget> upstreams,
      long totalPulls,
      List<ImagePulls> topImages) {
    this(
        takenAt,
        uptime,
        cache,
        requests,
        bytesSaved,
        bytesFetched,
        inFlightDownloads,
        upstreams,
        totalPulls,
        topImages,
        Optional.empty());
  }

  /**
   * The cache's disk use.
   *
   * @param budgetBytes the budget; {@code 0} means unlimited
   */
  public record CacheUsage(OptionalLong sizeBytes, OptionalLong blobs, OptionalLong budgetBytes) {
    public CacheUsage {
      Objects.requireNonNull(sizeBytes, "sizeBytes");
      Objects.requireNonNull(blobs, "blobs");
      Objects.requireNonNull(budgetBytes, "budgetBytes");
    }

    public static CacheUsage unknown() {
      return new CacheUsage(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
    }

    public boolean unlimited() {
      return budgetBytes.isPresent() && budgetBytes.getAsLong() == 0;
    }

    /** Size over budget, when both are known and the budget is not unlimited. */
    public OptionalDouble usedFraction() {
      if (sizeBytes.isEmpty() || budgetBytes.isEmpty() || budgetBytes.getAsLong() <= 0) {
        return OptionalDouble.empty();
      }
      return OptionalDouble.of((double) sizeBytes.getAsLong() / budgetBytes.getAsLong());
    }
  }

  /** Manifest and blob requests by how the cache answered them. */
  public record Outcomes(long hits, long coalesced, long stale, long misses) {
    public static final Outcomes NONE = new Outcomes(0, 0, 0, 0);

    public long total() {
      return hits + coalesced + stale + misses;
    }

    /** Hits over every answered request; absent before the first one. */
    public OptionalDouble hitRatio() {
      long total = total();
      return total == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) hits / total);
    }
  }

  /** An upstream and the pull budget it last stated (absent: none stated, so unlimited). */
  public record UpstreamBudget(String name, Optional<RateLimit> rateLimit) {
    public UpstreamBudget {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(rateLimit, "rateLimit");
    }
  }

  /**
   * The shared store: where it is, what its last check said, and the requests sent to it since
   * start.
   *
   * @param where bucket, prefix and endpoint, without secrets
   * @param state the last check's line
   * @param reachable whether the last check got an answer
   * @param requests requests to the store, whatever their outcome
   * @param errors requests that failed: no answer, or one that is neither success, absent nor
   *     conflict
   * @param bytesSent body bytes sent to the store
   * @param bytesReceived body bytes received from the store
   */
  public record StoreTraffic(
      String where,
      String state,
      boolean reachable,
      long requests,
      long errors,
      long bytesSent,
      long bytesReceived) {
    public StoreTraffic {
      Objects.requireNonNull(where, "where");
      Objects.requireNonNull(state, "state");
    }
  }

  /**
   * This replica in its cluster: where peers reach it, its leases, and what it relayed since start.
   *
   * @param advertise the base URL peers reach this replica under
   * @param leasesHeld download leases it holds now
   * @param leasesLost leases it lost while holding them (another replica presumed it dead)
   * @param takeovers downloads it took over from a replica that stopped renewing its lease
   * @param bytesRelayed blob bytes relayed from peers that were downloading them
   * @param relayRequests relay requests peers sent to this replica, whatever their answer
   * @param relayRefused those answered with an error (unsigned, unknown or failed)
   * @param bytesServedToPeers blob bytes sent to peers relaying from this replica
   */
  public record ClusterTraffic(
      String advertise,
      int leasesHeld,
      long leasesLost,
      long takeovers,
      long bytesRelayed,
      long relayRequests,
      long relayRefused,
      long bytesServedToPeers) {
    public ClusterTraffic {
      Objects.requireNonNull(advertise, "advertise");
    }
  }

  /**
   * The clients that pulled manifests, by address.
   *
   * @param recent the most recent ones, most recent first
   * @param lastHour how many tracked clients pulled in the hour before the snapshot
   */
  public record Nodes(List<RecentClient> recent, int lastHour) {
    public static final Nodes NONE = new Nodes(List.of(), 0);

    public Nodes {
      recent = List.copyOf(recent);
    }
  }
}
