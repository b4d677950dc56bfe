package dev.stevedore.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * Slows down password guessing, per client: the first {@code freeFailures} consecutive failures
 * cost nothing; each one after that makes the client wait before its next attempt, 1 s, 2 s, 4 s …
 * up to a cap. A success forgets the client. Memory is bounded: clients are forgotten a while after
 * their last failure, and only so many are remembered. Time comes from a {@link Ticker}, so tests
 * advance a fake clock.
 *
 * <p>An attempt counts from when its check {@linkplain #begin starts}, not when it ends: checks in
 * flight are counted as if they will fail, so a client that sends a hundred guesses at once has at
 * most {@code freeFailures} of them checked (and, once it waits, one at a time) — the rest are told
 * to wait before any bcrypt is spent on them.
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

  /**
   * {@code count} confirmed consecutive failures, {@code inFlight} attempts begun and not yet
   * ended; {@code waitUntilNanos} (a {@link Ticker} reading) counts from {@code freeFailures} on.
   */
  private record Failures(int count, int inFlight, long waitUntilNanos) {
    static final Failures NONE = new Failures(0, 0, 0);

    Failures withInFlight(int newInFlight) {
      return new Failures(count, Math.max(0, newInFlight), waitUntilNanos);
    }

    boolean isEmpty() {
      return count == 0 && inFlight == 0;
    }
  }

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
    return known == null ? Optional.empty() : refusal(known);
  }

  /**
   * Starts an attempt of {@code client}: empty when it may be checked now — it then counts as in
   * flight until {@link #failed}, {@link #succeeded} or {@link #abandoned} ends it — else how long
   * the client must wait first (nothing is recorded then).
   */
  Optional<Duration> begin(String client) {
    AtomicReference<Duration> refused = new AtomicReference<>();
    failures
        .asMap()
        .compute(
            ClientKey.of(client),
            (key, previous) -> {
              Failures known = previous == null ? Failures.NONE : previous;
              Optional<Duration> wait = refusal(known);
              if (wait.isPresent()) {
                refused.set(wait.get());
                return previous;
              }
              return known.withInFlight(known.inFlight() + 1);
            });
    return Optional.ofNullable(refused.get());
  }

  /** Ends a begun attempt of {@code client} as a failure (counts one even if none was begun). */
  void failed(String client) {
    failures
        .asMap()
        .compute(
            ClientKey.of(client),
            (key, previous) -> {
              Failures known = previous == null ? Failures.NONE : previous;
              int count = saturatedIncrement(known.count());
              long waitUntil =
                  count < policy.freeFailures() ? 0 : ticker.read() + waitAfter(count).toNanos();
              return new Failures(count, Math.max(0, known.inFlight() - 1), waitUntil);
            });
  }

  /**
   * Ends a begun attempt of {@code client} as a success: its failures are forgotten (attempts still
   * in flight stay counted until they end).
   */
  void succeeded(String client) {
    endWith(client, known -> new Failures(0, known.inFlight() - 1, 0));
  }

  /** Ends a begun attempt of {@code client} that was never checked (the verifier was busy). */
  void abandoned(String client) {
    endWith(client, known -> known.withInFlight(known.inFlight() - 1));
  }

  private void endWith(String client, UnaryOperator<Failures> end) {
    failures
        .asMap()
        .computeIfPresent(
            ClientKey.of(client),
            (key, known) -> {
              Failures ended = end.apply(known);
              return ended.isEmpty() ? null : ended;
            });
  }

  /**
   * Why a new attempt must wait, if it must: while confirmed and in-flight failures together stay
   * under {@code freeFailures} it may go; past that, only once the last wait is over and no other
   * attempt is in flight (then the hint is the wait that follows if those in flight fail).
   */
  private Optional<Duration> refusal(Failures known) {
    int projected = saturatedAdd(known.count(), known.inFlight());
    if (projected < policy.freeFailures()) {
      return Optional.empty();
    }
    if (known.inFlight() > 0) {
      return Optional.of(waitAfter(projected));
    }
    long remaining = known.waitUntilNanos() - ticker.read();
    return remaining > 0 ? Optional.of(Duration.ofNanos(remaining)) : Optional.empty();
  }

  /** The wait after the {@code count}-th consecutive failure (at least {@code freeFailures}). */
  Duration waitAfter(int count) {
    int doublings = Math.min(count - policy.freeFailures(), 30);
    Duration wait = policy.firstWait().multipliedBy(1L << doublings);
    return wait.compareTo(policy.maxWait()) > 0 ? policy.maxWait() : wait;
  }

  private static int saturatedIncrement(int count) {
    return saturatedAdd(count, 1);
  }

  private static int saturatedAdd(int a, int b) {
    long sum = (long) a + b;
    return sum > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) sum;
  }
}
