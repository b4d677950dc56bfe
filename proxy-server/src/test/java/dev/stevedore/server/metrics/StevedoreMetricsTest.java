package dev.stevedore.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

/** The shared store's meters as Prometheus scrapes them. */
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
