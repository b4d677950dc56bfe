package dev.stevedore.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FailureBackoffTest {
  private final FakeTicker ticker = new FakeTicker();
  private final FailureBackoff backoff = new FailureBackoff(FailureBackoff.Policy.DEFAULT, ticker);

  private void fail(String client, int times) {
    for (int i = 0; i < times; i++) {
      backoff.failed(client);
    }
  }

  @Test
  void firstFourFailures_costNothing() {
    fail("10.0.0.1", 4);

    assertThat(backoff.waitFor("10.0.0.1")).isEmpty();
  }

  @Test
  void fifthFailure_makesTheClientWaitOneSecond() {
    fail("10.0.0.1", 5);

    assertThat(backoff.waitFor("10.0.0.1")).contains(Duration.ofSeconds(1));
    ticker.advance(Duration.ofMillis(400));
    assertThat(backoff.waitFor("10.0.0.1")).contains(Duration.ofMillis(600));
    ticker.advance(Duration.ofMillis(600));
    assertThat(backoff.waitFor("10.0.0.1")).isEmpty();
  }

  @Test
  void waits_doubleUpToSixtySeconds() {
    assertThat(backoff.waitAfter(5)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.waitAfter(6)).isEqualTo(Duration.ofSeconds(2));
    assertThat(backoff.waitAfter(7)).isEqualTo(Duration.ofSeconds(4));
    assertThat(backoff.waitAfter(10)).isEqualTo(Duration.ofSeconds(32));
    assertThat(backoff.waitAfter(11)).isEqualTo(Duration.ofSeconds(60));
    assertThat(backoff.waitAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void eachFurtherFailure_waitsLonger() {
    fail("10.0.0.1", 5);
    ticker.advance(Duration.ofSeconds(1));
    backoff.failed("10.0.0.1");
    assertThat(backoff.waitFor("10.0.0.1")).contains(Duration.ofSeconds(2));
    ticker.advance(Duration.ofSeconds(2));
    backoff.failed("10.0.0.1");
    assertThat(backoff.waitFor("10.0.0.1")).contains(Duration.ofSeconds(4));
  }

  @Test
  void success_forgetsTheFailures() {
    fail("10.0.0.1", 7);

    backoff.succeeded("10.0.0.1");

    assertThat(backoff.waitFor("10.0.0.1")).isEmpty();
    fail("10.0.0.1", 4);
    assertThat(backoff.waitFor("10.0.0.1")).isEmpty();
  }

  @Test
  void clients_areCountedSeparately() {
    fail("10.0.0.1", 9);

    assertThat(backoff.waitFor("10.0.0.2")).isEmpty();
  }

  @Test
  void ipv6Clients_areCountedPerSlash64() {
    fail("2001:db8:1:2::1", 3);
    fail("2001:db8:1:2:ffff::9", 2);

    assertThat(backoff.waitFor("2001:db8:1:2::77")).contains(Duration.ofSeconds(1));
    assertThat(backoff.waitFor("2001:db8:1:3::1")).isEmpty();
  }

  @Test
  void failures_areForgottenAfterFifteenQuietMinutes() {
    fail("10.0.0.1", 4);
    ticker.advance(Duration.ofMinutes(15).plusSeconds(1));

    backoff.failed("10.0.0.1");

    assertThat(backoff.waitFor("10.0.0.1")).isEmpty();
  }

  @Test
  void attemptsInFlight_countAgainstTheFreeFailures() {
    for (int i = 0; i < 5; i++) {
      assertThat(backoff.begin("10.0.0.1")).as("attempt " + i).isEmpty();
    }

    assertThat(backoff.begin("10.0.0.1")).contains(Duration.ofSeconds(1));
    assertThat(backoff.begin("10.0.0.2")).as("another client").isEmpty();
  }

  @Test
  void confirmedAndInFlight_addUp() {
    fail("10.0.0.1", 3);
    assertThat(backoff.begin("10.0.0.1")).isEmpty();
    assertThat(backoff.begin("10.0.0.1")).isEmpty();

    assertThat(backoff.begin("10.0.0.1")).isPresent();
  }

  @Test
  void abandonedAttempt_isReleasedWithoutCounting() {
    for (int i = 0; i < 5; i++) {
      backoff.begin("10.0.0.1");
    }
    for (int i = 0; i < 5; i++) {
      backoff.abandoned("10.0.0.1");
    }

    assertThat(backoff.waitFor("10.0.0.1")).isEmpty();
    assertThat(backoff.begin("10.0.0.1")).isEmpty();
  }

  @Test
  void success_keepsTheOtherAttemptsInFlight() {
    for (int i = 0; i < 5; i++) {
      backoff.begin("10.0.0.1");
    }

    backoff.succeeded("10.0.0.1");

    assertThat(backoff.begin("10.0.0.1")).as("four still in flight, one freed").isEmpty();
    assertThat(backoff.begin("10.0.0.1")).isPresent();
  }

  @Test
  void afterTheWait_oneAttemptAtATime() {
    fail("10.0.0.1", 5);
    ticker.advance(Duration.ofSeconds(1));

    assertThat(backoff.begin("10.0.0.1")).isEmpty();
    assertThat(backoff.begin("10.0.0.1"))
        .as("the wait if the one in flight fails")
        .contains(Duration.ofSeconds(2));
    backoff.failed("10.0.0.1");
    assertThat(backoff.begin("10.0.0.1")).contains(Duration.ofSeconds(2));
  }
}
