package dev.stevedore.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MinimumRateTest {

  private static final long SECOND = 1_000_000_000L;
  private final MinimumRate rate = new MinimumRate(1000, Duration.ofSeconds(10));

  @Test
  void withinTheFirstWindow_nothingIsTooSlow() {
    MinimumRate.Tracker tracker = rate.track(0);

    assertThat(tracker.tooSlow(9 * SECOND, 0)).isFalse();
  }

  @Test
  void aWindowWithFewerBytesThanTheMinimum_isTooSlow() {
    MinimumRate.Tracker tracker = rate.track(0);

    assertThat(tracker.tooSlow(10 * SECOND, 999)).isTrue();
  }

  @Test
  void eachWindowIsJudgedOnItsOwn() {
    MinimumRate.Tracker tracker = rate.track(0);

    assertThat(tracker.tooSlow(10 * SECOND, 50_000)).as("a fast start").isFalse();
    assertThat(tracker.tooSlow(15 * SECOND, 50_010)).as("window not over").isFalse();
    assertThat(tracker.tooSlow(20 * SECOND, 50_010)).as("then a trickle").isTrue();
  }

  @Test
  void aSteadySlowLinkAboveTheMinimum_isNeverTooSlow() {
    MinimumRate.Tracker tracker = rate.track(0);
    long received = 0;
    for (int window = 1; window <= 100; window++) {
      received += 1000;
      assertThat(tracker.tooSlow(window * 10 * SECOND, received)).isFalse();
    }
  }

  @Test
  void parse_readsBytesPerSeconds() {
    assertThat(MinimumRate.parse("16384/60")).isEqualTo(MinimumRate.DEFAULT);
  }
}
