package dev.stevedore.server.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.cache.CacheOutcome;
import dev.stevedore.core.cache.PullStats;
import dev.stevedore.core.cache.PullStats.ImagePulls;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.testing.FakeClock;
import dev.stevedore.core.testing.FakeUpstream;
import dev.stevedore.core.upstream.RateLimit;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.server.metrics.MeterNames;
import dev.stevedore.server.metrics.RequestLog;
import dev.stevedore.server.metrics.StevedoreMetrics;
import dev.stevedore.server.setup.MirrorAddress;
import dev.stevedore.server.setup.NodeSetup;
import dev.stevedore.server.status.RecentClients.RecentClient;
import dev.stevedore.server.status.StatusSnapshot.ClusterTraffic;
import dev.stevedore.server.status.StatusSnapshot.StoreTraffic;
import dev.stevedore.server.status.StatusSnapshot.UpstreamBudget;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class StatusSnapshotReaderTest {
  private static final Instant START = Instant.parse("2025-03-01T12:00:00Z");

  private final StevedoreMetrics metrics = new StevedoreMetrics();
  private final PullStats pulls = new PullStats();
  private final FakeClock clock = new FakeClock(START);
  private static final NodeSetup SETUP =
      new NodeSetup(List.of("docker.io"), "docker.io", Optional.empty(), Optional.empty());

  private StatusSnapshotReader reader(List<Upstream> upstreams, int inFlight) {
    return new StatusSnapshotReader(metrics.registry(), upstreams, () -> inFlight, pulls, clock);
  }

  private void requests(String route, Optional<CacheOutcome> outcome, int status, int times) {
    for (int i = 0; i < times; i++) {
      metrics.request(route, "GET", status, outcome, 1_000);
    }
  }

  @Test
  void read_hitRatioOverManifestAndBlobRequestsOnly() {
    requests("manifest", Optional.of(CacheOutcome.HIT), 200, 3);
    requests("blob", Optional.of(CacheOutcome.HIT), 200, 3);
    requests("blob", Optional.of(CacheOutcome.COALESCED), 200, 2);
    requests("manifest", Optional.of(CacheOutcome.STALE), 200, 1);
    requests("blob", Optional.of(CacheOutcome.MISS), 200, 2);
    requests("status_page", Optional.empty(), 200, 50);
    requests("metrics", Optional.empty(), 200, 50);
    requests("manifest", Optional.empty(), 404, 7);

    StatusSnapshot snapshot = reader(List.of(), 0).read();

    assertThat(snapshot.requests().hits()).isEqualTo(6);
    assertThat(snapshot.requests().coalesced()).isEqualTo(2);
    assertThat(snapshot.requests().stale()).isEqualTo(1);
    assertThat(snapshot.requests().misses()).isEqualTo(2);
    assertThat(snapshot.requests().hitRatio()).hasValue(6.0 / 11);
  }

  @Test
  void read_bytesSavedAreHitCoalescedAndStale_fetchedSumsUpstreams() {
    metrics.bytesServed(Optional.of(CacheOutcome.HIT), 1000);
    metrics.bytesServed(Optional.of(CacheOutcome.COALESCED), 200);
    metrics.bytesServed(Optional.of(CacheOutcome.STALE), 30);
    metrics.bytesServed(Optional.of(CacheOutcome.MISS), 4000);
    metrics.bytesServed(Optional.empty(), 50_000);
    metrics.upstreamBytes("docker.io", 4000);
    metrics.upstreamBytes("ghcr.io", 500);

    StatusSnapshot snapshot = reader(List.of(), 0).read();

    assertThat(snapshot.bytesSaved()).isEqualTo(1230);
    assertThat(snapshot.bytesFetched()).isEqualTo(4500);
  }

  @Test
  void read_cacheGauges_absentUntilPublished() {
    StatusSnapshotReader reader = reader(List.of(), 0);
    assertThat(reader.read().cache().sizeBytes()).isEmpty();
    assertThat(reader.read().cache().budgetBytes()).isEmpty();

    metrics.gauge(MeterNames.CACHE_SIZE, this, self -> 5_000);
    metrics.gauge(MeterNames.CACHE_BLOBS, this, self -> 7);
    metrics.gauge(MeterNames.CACHE_BUDGET, this, self -> 10_000);

    StatusSnapshot snapshot = reader.read();
    assertThat(snapshot.cache().sizeBytes()).isEqualTo(OptionalLong.of(5_000));
    assertThat(snapshot.cache().blobs()).isEqualTo(OptionalLong.of(7));
    assertThat(snapshot.cache().budgetBytes()).isEqualTo(OptionalLong.of(10_000));
    assertThat(snapshot.cache().usedFraction()).hasValue(0.5);
  }

  @Test
  void read_nanGauge_isUnknown() {
    metrics.gauge(MeterNames.CACHE_SIZE, this, self -> Double.NaN);

    assertThat(reader(List.of(), 0).read().cache().sizeBytes()).isEmpty();
  }

  @Test
  void read_upstreamBudgetsByName_inFlight_pulls_uptime() {
    RateLimit stated = new RateLimit(100, 76, 21600, Optional.empty(), START);
    StatusSnapshotReader reader =
        reader(List.of(FakeUpstream.refusing("ghcr.io"), statingLimit("docker.io", stated)), 3);
    pulls.record("docker.io", RepositoryName.parse("library/alpine"));
    pulls.record("docker.io", RepositoryName.parse("library/alpine"));
    clock.advance(Duration.ofMinutes(3));

    StatusSnapshot snapshot = reader.read();

    assertThat(snapshot.upstreams())
        .containsExactly(
            new UpstreamBudget("docker.io", Optional.of(stated)),
            new UpstreamBudget("ghcr.io", Optional.empty()));
    assertThat(snapshot.inFlightDownloads()).isEqualTo(3);
    assertThat(snapshot.topImages()).containsExactly(new ImagePulls("docker.io/library/alpine", 2));
    assertThat(snapshot.totalPulls()).isEqualTo(2);
    assertThat(snapshot.uptime()).isEqualTo(Duration.ofMinutes(3));
    assertThat(snapshot.takenAt()).isEqualTo(START.plus(Duration.ofMinutes(3)));
  }

  @Test
  void statusPage_rendersWhatTheReaderReads() {
    pulls.record("docker.io", RepositoryName.parse("library/alpine"));
    requests("manifest", Optional.of(CacheOutcome.HIT), 200, 1);

    String html = new StatusPage(reader(List.of(), 0), SETUP).apply(Optional.empty());

    assertThat(html)
        .contains("docker.io/library/alpine")
        .contains("data-metric=\"hit-ratio\">100.0 %<");
  }

  @Test
  void read_redirectedBlobsCountAsHits() {
    requests("blob", Optional.of(CacheOutcome.REDIRECTED), 307, 3);
    requests("blob", Optional.of(CacheOutcome.MISS), 200, 1);

    StatusSnapshot snapshot = reader(List.of(), 0).read();

    assertThat(snapshot.requests().hits()).isEqualTo(3);
    assertThat(snapshot.requests().hitRatio()).hasValue(0.75);
  }

  @Test
  void read_withoutStore_hasNoStore() {
    metrics.request("GetObject", "ok", 0, 100);

    assertThat(reader(List.of(), 0).read().store()).isEmpty();
  }

  @Test
  void read_withStore_stateAndTrafficSinceStart() {
    FixedStore state = new FixedStore("s3://b/p at http://127.0.0.1:9000", "reachable", true);
    StatusSnapshotReader reader =
        new StatusSnapshotReader(
            metrics.registry(), List.of(), () -> 0, pulls, clock, Optional.of(state));
    assertThat(reader.read().store())
        .contains(new StoreTraffic(state.where(), "reachable", true, 0, 0, 0, 0));

    metrics.request("PutObject", "ok", 1_000, 0);
    metrics.request("GetObject", "ok", 0, 700);
    metrics.request("GetObject", "ok", 0, 300);
    metrics.request("HeadObject", "absent", 0, 0);
    metrics.request("PutObject", "conflict", 50, 0);
    metrics.request("GetObject", "error", 0, 0);
    metrics.request("HeadObject", "error", 0, 0);
    state.line = "unreachable: Connection refused";
    state.reachable = false;

    assertThat(reader.read().store())
        .contains(
            new StoreTraffic(
                state.where(), "unreachable: Connection refused", false, 7, 2, 1_050, 1_000));
  }

  @Test
  void statusPage_withStore_showsTheStoreBox() {
    StatusPage page =
        new StatusPage(
            new StatusSnapshotReader(
                metrics.registry(),
                List.of(),
                () -> 0,
                pulls,
                clock,
                Optional.of(new FixedStore("s3://b/ at AWS S3 (eu-west-1)", "fine", true))),
            SETUP);
    metrics.request("GetObject", "ok", 0, 2048);

    assertThat(page.apply(Optional.empty()))
        .contains("<h2>Shared store</h2>")
        .contains("data-store=\"where\">s3://b/ at AWS S3 (eu-west-1)<")
        .contains("data-store=\"requests\">1 since start, 0 errors<")
        .contains("2 KiB received from it");
  }

  @Test
  void read_withoutCluster_hasNoCluster() {
    metrics.relayedBytes("docker.io", 100);
    metrics.takeover();
    requests("relay", Optional.empty(), 200, 1);

    assertThat(reader(List.of(), 0).read().cluster()).isEmpty();
  }

  @Test
  void read_withCluster_leasesAndRelayTrafficSinceStart() {
    FixedCluster state = new FixedCluster("http://10.0.0.7:5000");
    StatusSnapshotReader reader = clusterReader(state);
    assertThat(reader.read().cluster())
        .contains(new ClusterTraffic("http://10.0.0.7:5000", 0, 0, 0, 0, 0, 0, 0));

    state.held = 2;
    state.lost = 1;
    metrics.takeover();
    metrics.relayedBytes("docker.io", 700);
    metrics.relayedBytes("ghcr.io", 300);
    metrics.request(new Answered("relay", 200, 4_000));
    metrics.request(new Answered("relay", 206, 1_000));
    metrics.request(new Answered("relay", 404, 0));
    metrics.request(new Answered("blob", 200, 9_999)); // a client's, not a peer's

    assertThat(reader.read().cluster())
        .contains(new ClusterTraffic("http://10.0.0.7:5000", 2, 1, 1, 1_000, 3, 1, 5_000));
  }

  @Test
  void statusPage_withCluster_showsTheClusterBox_withoutCluster_none() {
    metrics.relayedBytes("docker.io", 2048);

    assertThat(
            new StatusPage(clusterReader(new FixedCluster("http://r1:5000")), SETUP)
                .apply(Optional.empty()))
        .contains("<h2>Cluster</h2>")
        .contains("data-cluster=\"advertise\">http://r1:5000<")
        .contains("2 KiB relayed from replicas");
    assertThat(new StatusPage(reader(List.of(), 0), SETUP).apply(Optional.empty()))
        .doesNotContain("data-cluster=");
  }

  @Test
  void read_nodes_recentClientsAndThoseOfTheLastHour() {
    RecentClients clients = new RecentClients(clock);
    StatusSnapshotReader reader =
        new StatusSnapshotReader(
            metrics.registry(),
            List.of(),
            () -> 0,
            pulls,
            clock,
            Optional.empty(),
            Optional.empty(),
            clients);
    clients.record("10.0.0.7", Optional.of("containerd/1.6.20 (linux)"));
    clock.advance(Duration.ofMinutes(90));
    clients.record("10.0.0.8", Optional.of("skopeo/1.9"));
    clients.record("10.0.0.8", Optional.of("skopeo/1.9"));

    StatusSnapshot snapshot = reader.read();

    assertThat(snapshot.nodes().recent())
        .containsExactly(
            new RecentClient("10.0.0.8", "skopeo/1.9", 2, START.plus(Duration.ofMinutes(90))),
            new RecentClient("10.0.0.7", "containerd/1.6.20", 1, START));
    assertThat(snapshot.nodes().lastHour()).isEqualTo(1);
  }

  @Test
  void statusPage_showsTheOneLinersForTheAddressAsked_andThePlaceholderWithout() {
    StatusPage page = new StatusPage(reader(List.of(), 0), SETUP);

    assertThat(page.apply(MirrorAddress.fromHost(Optional.of("192.0.2.1:5000"), false)))
        .contains("data-setup=\"k3s\">curl -fsSL http://192.0.2.1:5000/setup/k3s | sudo sh</code>")
        .doesNotContain("HOST:PORT");
    assertThat(page.apply(Optional.empty()))
        .contains("data-setup=\"k3s\">curl -fsSL http://HOST:PORT/setup/k3s | sudo sh</code>")
        .contains("data-setup-note");
  }

  private StatusSnapshotReader clusterReader(ClusterState state) {
    return new StatusSnapshotReader(
        metrics.registry(), List.of(), () -> 0, pulls, clock, Optional.empty(), Optional.of(state));
  }

  /** A request the test answered. */
  private record Answered(String route, int status, long bodyBytes) implements RequestLog {
    @Override
    public String method() {
      return "GET";
    }

    @Override
    public Optional<CacheOutcome> outcome() {
      return Optional.empty();
    }

    @Override
    public long durationNanos() {
      return 1_000;
    }
  }

  /** A cluster state the test sets. */
  private static final class FixedCluster implements ClusterState {
    private final String advertise;
    int held;
    long lost;

    FixedCluster(String advertise) {
      this.advertise = advertise;
    }

    @Override
    public String advertise() {
      return advertise;
    }

    @Override
    public int leasesHeld() {
      return held;
    }

    @Override
    public long leasesLost() {
      return lost;
    }
  }

  /** A store state the test sets. */
  private static final class FixedStore implements StoreState {
    private final String where;
    String line;
    boolean reachable;

    FixedStore(String where, String line, boolean reachable) {
      this.where = where;
      this.line = line;
      this.reachable = reachable;
    }

    @Override
    public String where() {
      return where;
    }

    @Override
    public String line() {
      return line;
    }

    @Override
    public boolean reachable() {
      return reachable;
    }
  }

  /** An upstream that only states a rate limit. */
  private static FakeUpstream statingLimit(String name, RateLimit limit) {
    FakeUpstream upstream = FakeUpstream.refusing(name);
    upstream.rateLimit = limit;
    return upstream;
  }
}
