package dev.stevedore.server.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.testing.FakeClock;
import dev.stevedore.server.status.RecentClients.RecentClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecentClientsTest {
  private static final Instant START = Instant.parse("2025-03-01T12:00:00Z");

  private final FakeClock clock = new FakeClock(START);

  @Test
  void record_countsPullsPerAddress_keepsTheLastTimeAndClient() {
    RecentClients clients = new RecentClients(clock);
    clients.record("10.0.0.7", Optional.of("containerd/1.6.20"));
    clock.advance(Duration.ofSeconds(30));
    clients.record("10.0.0.7", Optional.of("containerd/1.7.0 extra"));

    assertThat(clients.recent(10))
        .containsExactly(
            new RecentClient("10.0.0.7", "containerd/1.7.0", 2, START.plusSeconds(30)));
  }

  @Test
  void recent_mostRecentFirst_limited() {
    RecentClients clients = new RecentClients(clock);
    for (int i = 1; i <= 5; i++) {
      clients.record("10.0.0." + i, Optional.empty());
      clock.advance(Duration.ofSeconds(1));
    }
    clients.record("10.0.0.2", Optional.empty());

    assertThat(clients.recent(3))
        .extracting(RecentClient::address)
        .containsExactly("10.0.0.2", "10.0.0.5", "10.0.0.4");
    assertThat(clients.recent(3).get(0).product()).isEmpty();
  }

  @Test
  void record_whenFull_forgetsTheLeastRecentlySeen() {
    RecentClients clients = new RecentClients(3, clock);
    clients.record("a", Optional.empty());
    clock.advance(Duration.ofSeconds(1));
    clients.record("b", Optional.empty());
    clock.advance(Duration.ofSeconds(1));
    clients.record("c", Optional.empty());
    clock.advance(Duration.ofSeconds(1));
    clients.record("a", Optional.empty()); // now b is the least recent
    clock.advance(Duration.ofSeconds(1));
    clients.record("d", Optional.empty());

    assertThat(clients.recent(10)).extracting(RecentClient::address).containsExactly("d", "a", "c");
  }

  @Test
  void record_manyAddressesFromManyThreads_staysBounded_countsKnownOnes() throws Exception {
    RecentClients clients = new RecentClients(16, clock);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 1_000; i++) {
                    clients.record("10.1." + thread + "." + i, Optional.of("x/1"));
                    clients.record("10.9.9.9", Optional.of("x/1"));
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(clients.recent(100)).hasSizeLessThanOrEqualTo(16);
    assertThat(clients.pulledSince(START)).isLessThanOrEqualTo(16);
  }

  @Test
  void pulledSince_countsThoseSeenAtOrAfter() {
    RecentClients clients = new RecentClients(clock);
    clients.record("old", Optional.empty());
    clock.advance(Duration.ofMinutes(61));
    clients.record("new", Optional.empty());

    assertThat(clients.pulledSince(clock.instant().minus(Duration.ofHours(1)))).isEqualTo(1);
    assertThat(clients.pulledSince(START)).isEqualTo(2);
  }

  @Test
  void product_firstTokenOnly() {
    assertThat(RecentClients.product("containerd/1.6.20")).isEqualTo("containerd/1.6.20");
    assertThat(RecentClients.product("skopeo/1.9 (linux)")).isEqualTo("skopeo/1.9");
    assertThat(
            RecentClients.product(
                "docker/20.10.24 go/go1.20 git-commit/5d6db84 kernel/6.1 os/linux arch/amd64"))
        .isEqualTo("docker/20.10.24");
    assertThat(RecentClients.product("  \t ")).isEmpty();
  }

  @Test
  void product_hostileInput_masksControlCharacters_cuts_keepsHtmlForTheRendererToEscape() {
    assertThat(RecentClients.product("evil\u0000\u001b[31m/1\r\nX-Injected: 1"))
        .isEqualTo("evil??[31m/1");
    assertThat(RecentClients.product("<script>alert(1)</script>"))
        .isEqualTo("<script>alert(1)</script>");
    assertThat(RecentClients.product("a".repeat(10_000)))
        .isEqualTo("a".repeat(RecentClients.MAX_PRODUCT_CHARS) + "…");
    assertThat(RecentClients.product("x\u007f/2")).isEqualTo("x?/2");
  }

  @Test
  void capacity_mustBePositive() {
    assertThatThrownBy(() -> new RecentClients(0, clock))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
