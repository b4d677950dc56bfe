package dev.stevedore.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Slows down password guessing, per client: the first {@code freeFailures} consecutive failures
 * cost nothing; each one after that makes the client wait before its next attempt, 1 s, 2 s, 4 s
 * … up to a cap. A success forgets the client. Memory is bounded: clients are forgotten a while
 * after their last failure, and only so many are remembered. Time comes from a {@link Ticker}, so
 * tests advance a fake clock.
 */
final class FailureBackoff {

  /** When waiting starts, how long the first wait is and how long any wait may be. */
  record Policy(int freeFailures, Duration firstWait, Duration maxWait, Duration forgetAfter) {
    static final Policy DEFAULT =
        new Policy(5, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMinutes(15));

    Policy {
      Objects.requireNonNull(firstWait, "firstWait");
      Objects.requireNonNull(maxWait, "maxWait");
      Objects.requireNonNull(forgetAfter, "forgetAfter");
      if (freeFailures < 1 || firstWait.isNegative() || maxWait.compareTo(firstWait) < 0) {
        throw new IllegalArgumentException("invalid backoff policy");
      }
    }
  }

  private static final int MAX_CLIENTS = 100_000;

  /** {@code waitUntilNanos} (a {@link Ticker} reading) counts from {@code freeFailures} on. */
  private record Failures(int count, long waitUntilNanos) {}

  private final Policy policy;
  private final Ticker ticker;
  private final Cache<String, Failures> failures;

  FailureBackoff(Policy policy, Ticker ticker) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.failures =
        Caffeine.newBuilder()
            .ticker(ticker)
            .executor(Runnable::run)
            .expireAfterWrite(policy.forgetAfter())
            .maximumSize(MAX_CLIENTS)
            .build();
  }

  /** How long {@code client} must still wait before its next attempt is checked, if at all. */
  Optional<Duration> waitFor(String client) {
    Failures known = failures.getIfPresent(ClientKey.of(client));
    if (known == null || known.count() < policy.freeFailures()) {
      return Optional.empty();
    }
    long remaining = known.waitUntilNanos() - ticker.read();
    return remaining > 0 ? Optional.of(Duration.ofNanos(remaining)) : Optional.empty();
  }

  /** Records a failed attempt of {@code client}. */
  void failed(String client) {
    failures
        .asMap()
        .compute(
            ClientKey.of(client),
            (key, previous) -> {
              int count = previous == null ? 1 : saturatedIncrement(previous.count());
              long waitUntil =
                  count < policy.freeFailures() ? 0 : ticker.read() + waitAfter(count).toNanos();
              return new Failures(count, waitUntil);
            });
  }

  /** Forgets {@code client}'s failures after it authenticated. */
  void succeeded(String client) {
    failures.invalidate(ClientKey.of(client));
  }

  /** The wait after the {@code count}-th consecutive failure (at least {@code freeFailures}). */
  Duration waitAfter(int count) {
    int doublings = Math.min(count - policy.freeFailures(), 30);
    Duration wait = policy.firstWait().multipliedBy(1L << doublings);
    return wait.compareTo(policy.maxWait()) > 0 ? policy.maxWait() : wait;
  }

  private static int saturatedIncrement(int count) {
    return count == Integer.MAX_VALUE ? count : count + 1;
  }
}
