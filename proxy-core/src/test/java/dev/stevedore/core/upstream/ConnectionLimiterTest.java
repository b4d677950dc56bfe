package dev.stevedore.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ConnectionLimiterTest {

  /** Timeouts fire only when the test says so. */
  static final class FakeTimer implements ConnectionLimiter.Timer {
    record Scheduled(Duration delay, Runnable task, boolean[] cancelled) {}

    final List<Scheduled> scheduled = new ArrayList<>();

    @Override
    public Runnable schedule(Duration delay, Runnable task) {
      Scheduled entry = new Scheduled(delay, task, new boolean[1]);
      scheduled.add(entry);
      return () -> entry.cancelled()[0] = true;
    }

    /** Runs every timeout not yet cancelled, as if their delay had passed. */
    void fireAll() {
      List.copyOf(scheduled).stream().filter(s -> !s.cancelled()[0]).forEach(s -> s.task().run());
      scheduled.clear();
    }

    long pending() {
      return scheduled.stream().filter(s -> !s.cancelled()[0]).count();
    }
  }

  private final FakeTimer timer = new FakeTimer();

  private ConnectionLimiter limiter(int connections, int queued, Duration timeout) {
    return new ConnectionLimiter("docker.io", connections, queued, timeout, timer, Runnable::run);
  }

  private static RegistryException failure(CompletableFuture<?> future) {
    assertThat(future).isCompletedExceptionally();
    Throwable error = future.handle((value, e) -> e).join();
    assertThat(error).isInstanceOf(RegistryException.class);
    return (RegistryException) error;
  }

  @Test
  void acquire_underTheCap_grantsAtOnce_thenQueues() {
    ConnectionLimiter limiter = limiter(2, 10, Duration.ofSeconds(10));

    CompletableFuture<ConnectionLimiter.Permit> first = limiter.acquire();
    CompletableFuture<ConnectionLimiter.Permit> second = limiter.acquire();
    CompletableFuture<ConnectionLimiter.Permit> third = limiter.acquire();

    assertThat(first).isCompleted();
    assertThat(second).isCompleted();
    assertThat(third).isNotDone();
    assertThat(limiter.inFlight()).isEqualTo(2);
    assertThat(limiter.queued()).isEqualTo(1);
    assertThat(timer.scheduled)
        .singleElement()
        .satisfies(s -> assertThat(s.delay()).isEqualTo(Duration.ofSeconds(10)));
  }

  @Test
  void release_handsThePermitToTheLongestWaiter() {
    ConnectionLimiter limiter = limiter(1, 10, Duration.ofSeconds(10));
    ConnectionLimiter.Permit held = limiter.acquire().join();
    CompletableFuture<ConnectionLimiter.Permit> second = limiter.acquire();
    CompletableFuture<ConnectionLimiter.Permit> third = limiter.acquire();

    held.release();

    assertThat(second).isCompleted();
    assertThat(third).isNotDone();
    assertThat(limiter.inFlight()).isEqualTo(1);
    assertThat(timer.pending()).as("the granted waiter's timeout is cancelled").isEqualTo(1);

    second.join().release();
    third.join().release();
    assertThat(limiter.inFlight()).isZero();
    assertThat(limiter.queued()).isZero();
    assertThat(timer.pending()).isZero();
  }

  @Test
  void release_twice_freesOneSlotOnly() {
    ConnectionLimiter limiter = limiter(1, 10, Duration.ofSeconds(10));
    ConnectionLimiter.Permit held = limiter.acquire().join();
    CompletableFuture<ConnectionLimiter.Permit> second = limiter.acquire();
    CompletableFuture<ConnectionLimiter.Permit> third = limiter.acquire();

    held.release();
    held.release();

    assertThat(second).isCompleted();
    assertThat(third).isNotDone();
    assertThat(limiter.inFlight()).isEqualTo(1);
  }

  @Test
  void queueTimeout_failsWithTooManyRequestsAndRetryAfter() {
    ConnectionLimiter limiter = limiter(1, 10, Duration.ofSeconds(10));
    ConnectionLimiter.Permit held = limiter.acquire().join();
    CompletableFuture<ConnectionLimiter.Permit> waiting = limiter.acquire();

    timer.fireAll();

    RegistryException error = failure(waiting);
    assertThat(error.code()).isEqualTo(ErrorCode.TOOMANYREQUESTS);
    assertThat(error.headers()).isEqualTo(Map.of("Retry-After", "10"));
    assertThat(error.detail()).contains("docker.io").contains("1 connections");
    assertThat(limiter.queued()).isZero();

    held.release();
    assertThat(limiter.inFlight()).isZero();
    assertThat(limiter.acquire()).isCompleted();
  }

  @Test
  void queueFull_failsAtOnce() {
    ConnectionLimiter limiter = limiter(1, 1, Duration.ofSeconds(10));
    limiter.acquire().join();
    CompletableFuture<ConnectionLimiter.Permit> queued = limiter.acquire();

    CompletableFuture<ConnectionLimiter.Permit> rejected = limiter.acquire();

    assertThat(queued).isNotDone();
    assertThat(failure(rejected).code()).isEqualTo(ErrorCode.TOOMANYREQUESTS);
    assertThat(failure(rejected).headers()).containsKey("Retry-After");
    assertThat(limiter.queued()).isEqualTo(1);
  }

  @Test
  void zeroQueueTimeout_refusesInsteadOfQueueing() {
    ConnectionLimiter limiter = limiter(1, 10, Duration.ZERO);
    limiter.acquire().join();

    RegistryException error = failure(limiter.acquire());

    assertThat(error.code()).isEqualTo(ErrorCode.TOOMANYREQUESTS);
    assertThat(error.headers()).isEqualTo(Map.of("Retry-After", "1"));
    assertThat(limiter.queued()).isZero();
  }

  @Test
  void cancelledWaiter_leavesTheQueue_andThePermitGoesToTheNext() {
    ConnectionLimiter limiter = limiter(1, 10, Duration.ofSeconds(10));
    ConnectionLimiter.Permit held = limiter.acquire().join();
    CompletableFuture<ConnectionLimiter.Permit> impatient = limiter.acquire();
    CompletableFuture<ConnectionLimiter.Permit> patient = limiter.acquire();

    impatient.cancel(false);
    assertThat(limiter.queued()).isEqualTo(1);
    held.release();

    assertThat(patient).isCompleted();
    assertThat(limiter.inFlight()).isEqualTo(1);
  }

  @Test
  void waiterThatGaveUpDuringHandOver_passesThePermitOn() {
    List<Runnable> handOvers = new ArrayList<>();
    ConnectionLimiter limiter =
        new ConnectionLimiter("docker.io", 1, 10, Duration.ofSeconds(10), timer, handOvers::add);
    ConnectionLimiter.Permit held = limiter.acquire().join();
    CompletableFuture<ConnectionLimiter.Permit> first = limiter.acquire();
    CompletableFuture<ConnectionLimiter.Permit> second = limiter.acquire();

    held.release(); // polled from the queue, hand-over pending
    first.cancel(false);
    handOvers.remove(0).run();
    handOvers.remove(0).run();

    assertThat(second).isCompleted();
    assertThat(limiter.inFlight()).isEqualTo(1);
    second.join().release();
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void timeoutAfterTheTurnCame_changesNothing() {
    ConnectionLimiter limiter = limiter(1, 10, Duration.ofSeconds(10));
    ConnectionLimiter.Permit held = limiter.acquire().join();
    CompletableFuture<ConnectionLimiter.Permit> waiting = limiter.acquire();
    List<FakeTimer.Scheduled> timeouts = List.copyOf(timer.scheduled);

    held.release();
    timeouts.forEach(s -> s.task().run()); // fires although cancelled, as a race would

    assertThat(waiting).isCompleted();
    assertThat(waiting.isCompletedExceptionally()).isFalse();
    assertThat(limiter.inFlight()).isEqualTo(1);
  }

  @Test
  void retryAfter_isTheQueueTimeoutRoundedUp_atLeastOneSecond() {
    assertThat(limiter(1, 1, Duration.ofMillis(1500)).retryAfterSeconds()).isEqualTo("2");
    assertThat(limiter(1, 1, Duration.ofMillis(100)).retryAfterSeconds()).isEqualTo("1");
    assertThat(limiter(1, 1, Duration.ofSeconds(10)).retryAfterSeconds()).isEqualTo("10");
  }

  @Test
  void manyReleases_neverExceedTheCap() throws Exception {
    ConnectionLimiter limiter =
        new ConnectionLimiter("docker.io", 3, 10_000, Duration.ofMinutes(1));
    java.util.concurrent.atomic.AtomicInteger running =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger highest =
        new java.util.concurrent.atomic.AtomicInteger();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      all.add(
          limiter
              .acquire()
              .thenAcceptAsync(
                  permit -> {
                    int now = running.incrementAndGet();
                    highest.accumulateAndGet(now, Math::max);
                    Thread.onSpinWait();
                    running.decrementAndGet();
                    permit.release();
                  }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .get(30, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(highest.get()).isBetween(1, 3);
    assertThat(limiter.inFlight()).isZero();
    assertThat(limiter.queued()).isZero();
  }
}
