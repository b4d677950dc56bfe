package dev.stevedore.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.cache.CacheOutcome;
import dev.stevedore.core.cluster.Cluster;
import dev.stevedore.server.cluster.PeerRelay;
import dev.stevedore.server.cluster.StoreCluster;
import dev.stevedore.storage.S3Layout;
import dev.stevedore.storage.S3Leases;
import dev.stevedore.storage.S3TestServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The shared store's and the cluster's meters as Prometheus scrapes them. */
class StevedoreMetricsTest {
  private final StevedoreMetrics metrics = new StevedoreMetrics();
  private final MeterRegistry registry = metrics.registry();

  @Test
  void storeRequest_countedByOperationAndOutcome_bytesByDirection() {
    metrics.request("PutObject", "ok", 1_000, 0);
    metrics.request("GetObject", "ok", 0, 400);
    metrics.request("GetObject", "ok", 0, 600);
    metrics.request("GetObject", "absent", 0, 0);

    assertThat(count("GetObject", "ok")).isEqualTo(2);
    assertThat(count("GetObject", "absent")).isEqualTo(1);
    assertThat(count("PutObject", "ok")).isEqualTo(1);
    assertThat(bytes("sent")).isEqualTo(1_000);
    assertThat(bytes("received")).isEqualTo(1_000);
    assertThat(metrics.scrape())
        .contains("# HELP stevedore_store_requests_total Requests to the shared object store")
        .contains("stevedore_store_requests_total{operation=\"GetObject\",outcome=\"ok\"} 2.0")
        .contains("stevedore_store_bytes_total{direction=\"received\"} 1000.0");
  }

  @Test
  void noStoreRequests_noStoreMeters() {
    assertThat(metrics.scrape()).doesNotContain("stevedore_store_");
  }

  @Test
  void relayedBytes_countedByUpstream_takeoversCounted() {
    metrics.relayedBytes("docker.io", 1_000);
    metrics.relayedBytes("docker.io", 500);
    metrics.relayedBytes("ghcr.io", 20);
    metrics.relayedBytes("quay.io", 0);
    metrics.takeover();
    metrics.takeover();

    assertThat(metrics.scrape())
        .contains("# HELP stevedore_cluster_relayed_bytes_total Blob bytes relayed from a peer")
        .contains("stevedore_cluster_relayed_bytes_total{upstream=\"docker.io\"} 1500.0")
        .contains("stevedore_cluster_relayed_bytes_total{upstream=\"ghcr.io\"} 20.0")
        .doesNotContain("quay.io")
        .contains("# HELP stevedore_cluster_takeovers_total Downloads this replica took over")
        .contains("stevedore_cluster_takeovers_total 2.0");
    assertThat(registry.find(MeterNames.CLUSTER_RELAYED_BYTES.meterName()).counters())
        .allSatisfy(
            counter ->
                assertThat(counter.getId().getTags())
                    .extracting(Tag::getKey)
                    .containsExactly("upstream"));
  }

  @Test
  void relayRoute_bytesServedToPeers_otherRoutesNot() {
    metrics.request(new Answered("relay", 200, 4_000));
    metrics.request(new Answered("relay", 404, 0));
    metrics.request(new Answered("blob", 200, 9_999));

    assertThat(metrics.scrape())
        .contains("# HELP stevedore_cluster_relay_served_bytes_total Blob bytes sent to peer")
        .contains("stevedore_cluster_relay_served_bytes_total 4000.0")
        .contains(
            "stevedore_requests_seconds_count{method=\"GET\",outcome=\"none\",route=\"relay\"");
  }

  @Test
  void clusterOf_leasesHeldNow_andLost() throws Exception {
    S3TestServer s3 = S3TestServer.shared();
    try (StoreCluster cluster =
        new StoreCluster(
            new S3Leases(s3.client(), new S3Layout(s3.newBucket(), "")),
            URI.create("http://127.0.0.1:5000"),
            "replica-1",
            new PeerRelay((method, path) -> "unused"))) {
      metrics.clusterOf(cluster);
      assertThat(metrics.scrape())
          .contains("# HELP stevedore_cluster_leases_held Download leases this replica holds now")
          .contains("stevedore_cluster_leases_held 0.0")
          .contains("# HELP stevedore_cluster_leases_lost_total Leases this replica lost")
          .contains("stevedore_cluster_leases_lost_total 0.0");

      Cluster.Flight flight = cluster.claim("test-lease");
      assertThat(flight).isInstanceOf(Cluster.Flight.Lead.class);
      assertThat(metrics.scrape()).contains("stevedore_cluster_leases_held 1.0");

      ((Cluster.Flight.Lead) flight).leadership().close();
      assertThat(metrics.scrape()).contains("stevedore_cluster_leases_held 0.0");
    }
  }

  @Test
  void noCluster_noClusterMeters() {
    metrics.request(new Answered("blob", 200, 100));

    assertThat(metrics.scrape()).doesNotContain("stevedore_cluster_");
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

  private double count(String operation, String outcome) {
    return registry
        .get(MeterNames.STORE_REQUESTS.meterName())
        .tag("operation", operation)
        .tag("outcome", outcome)
        .counter()
        .count();
  }

  private double bytes(String direction) {
    return registry
        .get(MeterNames.STORE_BYTES.meterName())
        .tag("direction", direction)
        .counter()
        .count();
  }
}
