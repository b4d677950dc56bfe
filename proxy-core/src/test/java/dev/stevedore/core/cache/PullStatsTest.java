package dev.stevedore.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.cache.PullStats.ImagePulls;
import dev.stevedore.core.model.RepositoryName;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PullStatsTest {
  private static final RepositoryName ALPINE = RepositoryName.parse("library/alpine");
  private static final RepositoryName NGINX = RepositoryName.parse("library/nginx");
  private static final RepositoryName APP = RepositoryName.parse("team/app");

  private static void pull(PullStats stats, RepositoryName repository, int times) {
    for (int i = 0; i < times; i++) {
      stats.record("docker.io", repository);
    }
  }

  @Test
  void top_mostPulledFirst_tiesByName_namedWithUpstream() {
    PullStats stats = new PullStats();
    pull(stats, NGINX, 2);
    pull(stats, ALPINE, 5);
    pull(stats, APP, 2);
    stats.record("ghcr.io", APP);

    assertThat(stats.top(10))
        .containsExactly(
            new ImagePulls("docker.io/library/alpine", 5),
            new ImagePulls("docker.io/library/nginx", 2),
            new ImagePulls("docker.io/team/app", 2),
            new ImagePulls("ghcr.io/team/app", 1));
    assertThat(stats.top(2)).hasSize(2);
    assertThat(stats.total()).isEqualTo(10);
  }

  @Test
  void empty_hasNoTop() {
    assertThat(new PullStats().top(10)).isEmpty();
    assertThat(new PullStats().total()).isZero();
  }

  @Test
  void manyNames_trackedStayWithinCapacity_andHotImagesSurvive() {
    PullStats stats = new PullStats(50);
    pull(stats, ALPINE, 100);
    pull(stats, NGINX, 40);
    for (int i = 0; i < 10_000; i++) {
      stats.record("docker.io", RepositoryName.parse("oneoff/image" + i));
    }

    assertThat(stats.tracked()).isEqualTo(50);
    assertThat(stats.top(2))
        .containsExactly(
            new ImagePulls("docker.io/library/alpine", 100),
            new ImagePulls("docker.io/library/nginx", 40));
    assertThat(stats.total()).isEqualTo(10_140);
  }

  @Test
  void newNameWhenFull_replacesTheLeastPulled() {
    PullStats stats = new PullStats(2);
    pull(stats, ALPINE, 3);
    pull(stats, NGINX, 1);

    pull(stats, APP, 1);

    assertThat(stats.top(10))
        .containsExactly(
            new ImagePulls("docker.io/library/alpine", 3), new ImagePulls("docker.io/team/app", 1));
  }

  @Test
  void concurrentRecords_allCounted() {
    PullStats stats = new PullStats();
    List<CompletableFuture<Void>> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      threads.add(CompletableFuture.runAsync(() -> pull(stats, ALPINE, 1_000)));
    }
    threads.forEach(CompletableFuture::join);

    assertThat(stats.top(1)).containsExactly(new ImagePulls("docker.io/library/alpine", 8_000));
  }

  @Test
  void capacity_mustBePositive() {
    assertThatThrownBy(() -> new PullStats(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
