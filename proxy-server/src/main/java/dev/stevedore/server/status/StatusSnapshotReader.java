package dev.stevedore.server.status;

import dev.stevedore.core.cache.CacheOutcome;
import dev.stevedore.core.cache.PullStats;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.server.metrics.MeterNames;
import dev.stevedore.server.metrics.StevedoreMetrics;
import dev.stevedore.server.status.StatusSnapshot.CacheUsage;
import dev.stevedore.server.status.StatusSnapshot.ClusterTraffic;
import dev.stevedore.server.status.StatusSnapshot.Nodes;
import dev.stevedore.server.status.StatusSnapshot.Outcomes;
import dev.stevedore.server.status.StatusSnapshot.StoreTraffic;
import dev.stevedore.server.status.StatusSnapshot.UpstreamBudget;
import dev.stevedore.storage.StoreMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Reads a {@link StatusSnapshot} from memory only: the Micrometer meters, the upstreams' last rate
 * limits, the in-flight download count, the pull statistics, the shared store's last check and the
 * cluster's leases, the clients that pulled. Never touches the disk or the store, so the event loop
 * may call it.
 */
public final class StatusSnapshotReader {
  /** How many images the most-pulled table lists. */
  static final int TOP_IMAGES = 10;

  /** How many clients the nodes table lists. */
  static final int TOP_NODES = 50;

  private static final Set<String> CACHED_ROUTES = Set.of("manifest", "blob");

  private final MeterRegistry registry;
  private final Collection<? extends Upstream> upstreams;
  private final IntSupplier inFlightDownloads;
  private final PullStats pulls;
  private final Clock clock;
  private final Optional<StoreState> store;
  private final Optional<ClusterState> cluster;
  private final RecentClients clients;
  private final Instant startedAt;

  /** The reader of a proxy without a shared store. */
  public StatusSnapshotReader(
      MeterRegistry registry,
      Collection<? extends Upstream> upstreams,
      IntSupplier inFlightDownloads,
      PullStats pulls,
      Clock clock) {
    this(registry, upstreams, inFlightDownloads, pulls, clock, Optional.empty());
  }

  /**
   * The reader of a proxy without a cluster.
   *
   * @param store the shared store's state; empty without {@code --store}
   */
  public StatusSnapshotReader(
      MeterRegistry registry,
      Collection<? extends Upstream> upstreams,
      IntSupplier inFlightDownloads,
      PullStats pulls,
      Clock clock,
      Optional<StoreState> store) {
    this(registry, upstreams, inFlightDownloads, pulls, clock, store, Optional.empty());
  }

  /**
   * The reader of a proxy whose clients nobody tracks.
   *
   * @param store the shared store's state; empty without {@code --store}
   * @param cluster this replica's cluster; empty without {@code --cluster-secret-file}
   */
  public StatusSnapshotReader(
      MeterRegistry registry,
      Collection<? extends Upstream> upstreams,
      IntSupplier inFlightDownloads,
      PullStats pulls,
      Clock clock,
      Optional<StoreState> store,
      Optional<ClusterState> cluster) {
    this(
        registry,
        upstreams,
        inFlightDownloads,
        pulls,
        clock,
        store,
        cluster,
        new RecentClients(clock));
  }

  /**
   * @param store the shared store's state; empty without {@code --store}
   * @param cluster this replica's cluster; empty without {@code --cluster-secret-file}
   * @param clients the clients that pulled, for the nodes table
   */
  public StatusSnapshotReader(
      MeterRegistry registry,
      Collection<? extends Upstream> upstreams,
      IntSupplier inFlightDownloads,
      PullStats pulls,
      Clock clock,
      Optional<StoreState> store,
      Optional<ClusterState> cluster,
      RecentClients clients) {
    this.clients = Objects.requireNonNull(clients, "clients");
    this.store = Objects.requireNonNull(store, "store");
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.upstreams = List.copyOf(upstreams);
    this.inFlightDownloads = Objects.requireNonNull(inFlightDownloads, "inFlightDownloads");
    this.pulls = Objects.requireNonNull(pulls, "pulls");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.startedAt = clock.instant();
  }

  public StatusSnapshot read() {
    Instant now = clock.instant();
    return new StatusSnapshot(
        now,
        Duration.between(startedAt, now),
        new CacheUsage(
            gauge(MeterNames.CACHE_SIZE),
            gauge(MeterNames.CACHE_BLOBS),
            gauge(MeterNames.CACHE_BUDGET)),
        outcomes(),
        bytesSaved(),
        (long) sum(registry.find(MeterNames.UPSTREAM_BYTES.meterName()).counters()),
        inFlightDownloads.getAsInt(),
        upstreams.stream()
            .map(upstream -> new UpstreamBudget(upstream.name(), upstream.rateLimit()))
            .sorted(Comparator.comparing(UpstreamBudget::name))
            .toList(),
        pulls.total(),
        pulls.top(TOP_IMAGES),
        store.map(this::storeTraffic),
        cluster.map(this::clusterTraffic),
        new Nodes(clients.recent(TOP_NODES), clients.pulledSince(now.minus(Duration.ofHours(1)))));
  }

  /** The cluster's leases and the relay counters as {@code StevedoreMetrics} wrote them. */
  private ClusterTraffic clusterTraffic(ClusterState state) {
    long relayRequests = 0;
    long relayRefused = 0;
    for (Timer timer :
        registry
            .find(MeterNames.REQUESTS.meterName())
            .tag("route", StevedoreMetrics.RELAY_ROUTE)
            .timers()) {
      relayRequests += timer.count();
      if (refused(timer.getId().getTag("status"))) {
        relayRefused += timer.count();
      }
    }
    return new ClusterTraffic(
        state.advertise(),
        state.leasesHeld(),
        state.leasesLost(),
        (long) sum(registry.find(MeterNames.CLUSTER_TAKEOVERS.meterName()).counters()),
        (long) sum(registry.find(MeterNames.CLUSTER_RELAYED_BYTES.meterName()).counters()),
        relayRequests,
        relayRefused,
        (long) sum(registry.find(MeterNames.CLUSTER_RELAY_SERVED_BYTES.meterName()).counters()));
  }

  /** Whether a status tag is an error answer (4xx, 5xx, or unparseable). */
  private static boolean refused(String status) {
    try {
      return status == null || Integer.parseInt(status) >= 400;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  /** The store's last check and its counters as {@code StevedoreMetrics} wrote them. */
  private StoreTraffic storeTraffic(StoreState state) {
    Collection<Counter> requests = registry.find(MeterNames.STORE_REQUESTS.meterName()).counters();
    return new StoreTraffic(
        state.where(),
        state.line(),
        state.reachable(),
        (long) sum(requests),
        (long)
            sum(
                requests.stream()
                    .filter(c -> StoreMetrics.ERROR.equals(c.getId().getTag("outcome")))
                    .toList()),
        storeBytes(StevedoreMetrics.STORE_SENT),
        storeBytes(StevedoreMetrics.STORE_RECEIVED));
  }

  private long storeBytes(String direction) {
    return (long)
        sum(
            registry
                .find(MeterNames.STORE_BYTES.meterName())
                .tag("direction", direction)
                .counters());
  }

  private Outcomes outcomes() {
    long hits = 0;
    long coalesced = 0;
    long stale = 0;
    long misses = 0;
    for (Timer timer : registry.find(MeterNames.REQUESTS.meterName()).timers()) {
      if (!CACHED_ROUTES.contains(timer.getId().getTag("route"))) {
        continue;
      }
      Optional<CacheOutcome> outcome = outcome(timer.getId().getTag("outcome"));
      if (outcome.isEmpty()) {
        continue; // errors have no cache outcome
      }
      long count = timer.count();
      switch (outcome.get()) {
        case HIT, REDIRECTED -> hits += count; // a redirect sends a blob the store holds
        case COALESCED -> coalesced += count;
        case STALE -> stale += count;
        case MISS -> misses += count;
      }
    }
    return new Outcomes(hits, coalesced, stale, misses);
  }

  private long bytesSaved() {
    return (long)
        sum(
            registry.find(MeterNames.BYTES_SERVED.meterName()).counters().stream()
                .filter(
                    counter ->
                        outcome(counter.getId().getTag("outcome"))
                            .filter(CacheOutcome::sparedUpstream)
                            .isPresent())
                .toList());
  }

  /** The outcome a meter's tag names, as {@code StevedoreMetrics} wrote it. */
  private static Optional<CacheOutcome> outcome(String tag) {
    return tag == null ? Optional.empty() : CacheOutcome.ofTag(tag);
  }

  private static double sum(Collection<Counter> counters) {
    return counters.stream().mapToDouble(Counter::count).sum();
  }

  /** A gauge's value, absent when nobody registered it or it has no value (NaN). */
  private OptionalLong gauge(MeterNames name) {
    Gauge gauge = registry.find(name.meterName()).gauge();
    if (gauge == null) {
      return OptionalLong.empty();
    }
    double value = gauge.value();
    return Double.isFinite(value) ? OptionalLong.of((long) value) : OptionalLong.empty();
  }
}
