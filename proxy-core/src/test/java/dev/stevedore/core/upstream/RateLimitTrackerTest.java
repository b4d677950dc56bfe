package dev.stevedore.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitTrackerTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  private static HttpHeaders headers(Map<String, List<String>> values) {
    return HttpHeaders.of(values, (name, value) -> true);
  }

  @Test
  void observe_dockerHubHeaders_recordsLimitRemainingWindowAndSource() {
    RateLimitTracker tracker = new RateLimitTracker("docker.io", CLOCK);

    tracker.observe(
        headers(
            Map.of(
                "ratelimit-limit", List.of("100;w=21600"),
                "ratelimit-remaining", List.of("76;w=21600"),
                "docker-ratelimit-source", List.of("203.0.113.7"))));

    RateLimit limit = tracker.latest().orElseThrow();
    assertThat(limit.limit()).isEqualTo(100);
    assertThat(limit.remaining()).isEqualTo(76);
    assertThat(limit.windowSeconds()).isEqualTo(21600);
    assertThat(limit.source()).hasValue("203.0.113.7");
    assertThat(limit.isLow()).isFalse();
  }

  @Test
  void observe_noHeaders_meansUnlimitedAndRecordsNothing() {
    RateLimitTracker tracker = new RateLimitTracker("docker.io", CLOCK);

    tracker.observe(headers(Map.of()));
    tracker.observe(headers(Map.of("ratelimit-limit", List.of("garbage"))));

    assertThat(tracker.latest()).isEmpty();
  }

  @Test
  void isLow_belowTenPercent() {
    RateLimitTracker tracker = new RateLimitTracker("docker.io", CLOCK);

    tracker.observe(
        headers(Map.of("ratelimit-limit", List.of("100"), "ratelimit-remaining", List.of("9"))));

    assertThat(tracker.latest().orElseThrow().isLow()).isTrue();
    assertThat(tracker.latest().orElseThrow().windowSeconds()).isZero();
  }
}
