package dev.stevedore.core.upstream;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An asynchronous semaphore for one upstream: at most {@code maxConnections} permits out at once. A
 * request beyond that waits in a bounded first-come queue for up to {@code queueTimeout}; if no
 * permit frees up by then, or the queue is full, it fails with {@code TOOMANYREQUESTS} and a {@code
 * Retry-After} header. No thread ever blocks: a waiter is a future completed when its turn comes.
 */
final class ConnectionLimiter {

  /** Runs a task after a delay and returns what cancels it; injected so tests need not sleep. */
  interface Timer {
    Runnable schedule(Duration delay, Runnable task);

    /** A shared daemon thread. */
    static Timer system() {
      return (delay, task) -> {
        ScheduledFuture<?> scheduled =
            SystemTimer.EXECUTOR.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> scheduled.cancel(false);
      };
    }
  }

  /** One slot, released at most once however often {@link #release()} is called. */
  final class Permit {
    private final AtomicBoolean released = new AtomicBoolean();

    private Permit() {}

    void release() {
      if (released.compareAndSet(false, true)) {
        returnPermit();
      }
    }
  }

  private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);

  private final String upstream;
  private final int maxConnections;
  private final int maxQueued;
  private final Duration queueTimeout;
  private final Timer timer;
  private final Executor handOver;
  private final Object lock = new Object();
  private final ArrayDeque<CompletableFuture<Permit>> queue = new ArrayDeque<>();
  private int inFlight;

  ConnectionLimiter(String upstream, int maxConnections, int maxQueued, Duration queueTimeout) {
    this(
        upstream,
        maxConnections,
        maxQueued,
        queueTimeout,
        Timer.system(),
        new CompletableFuture<Void>().defaultExecutor());
  }

  /**
   * With an injected timer for queue timeouts and the executor that completes a waiter's turn or
   * timeout (so the waiter's continuation never runs inside another caller's release).
   */
  ConnectionLimiter(
      String upstream,
      int maxConnections,
      int maxQueued,
      Duration queueTimeout,
      Timer timer,
      Executor handOver) {
    this.upstream = Objects.requireNonNull(upstream, "upstream");
    this.queueTimeout = Objects.requireNonNull(queueTimeout, "queueTimeout");
    this.timer = Objects.requireNonNull(timer, "timer");
    this.handOver = Objects.requireNonNull(handOver, "handOver");
    if (maxConnections < 1 || maxQueued < 0 || queueTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "invalid limits: " + maxConnections + " connections, " + maxQueued + " queued");
    }
    this.maxConnections = maxConnections;
    this.maxQueued = maxQueued;
  }

  /**
   * A permit now if one is free, else when one frees up; fails with {@code TOOMANYREQUESTS} when
   * the queue is full or the wait exceeds the queue timeout. Cancelling the future leaves the
   * queue.
   */
  CompletableFuture<Permit> acquire() {
    CompletableFuture<Permit> turn;
    synchronized (lock) {
      if (inFlight < maxConnections && queue.isEmpty()) {
        inFlight++;
        return CompletableFuture.completedFuture(new Permit());
      }
      if (queue.size() >= maxQueued || queueTimeout.isZero()) {
        return CompletableFuture.failedFuture(
            busy("all " + maxConnections + " connections are busy and the queue is full"));
      }
      turn = new CompletableFuture<>();
      queue.add(turn);
    }
    log.debug("upstream {}: all {} connections busy; request queued", upstream, maxConnections);
    Runnable cancelTimer = timer.schedule(queueTimeout, () -> expire(turn));
    turn.whenComplete(
        (permit, error) -> {
          cancelTimer.run();
          if (turn.isCancelled()) {
            withdraw(turn);
          }
        });
    return turn;
  }

  /** Permits out now (including any being handed to a waiter). */
  int inFlight() {
    synchronized (lock) {
      return inFlight;
    }
  }

  /** Requests waiting for a permit. */
  int queued() {
    synchronized (lock) {
      return queue.size();
    }
  }

  /** The header a rejected client gets: the queue timeout in whole seconds, at least 1. */
  String retryAfterSeconds() {
    long millis = queueTimeout.toMillis();
    return Long.toString(Math.max(1, (millis + 999) / 1000));
  }

  /** A freed permit goes straight to the longest waiter, else back to the pool. */
  private void returnPermit() {
    CompletableFuture<Permit> next;
    synchronized (lock) {
      next = queue.poll();
      if (next == null) {
        inFlight--;
        return;
      }
    }
    Permit permit = new Permit();
    handOver.execute(
        () -> {
          if (!next.complete(permit)) {
            permit.release(); // the waiter gave up meanwhile: pass it on
          }
        });
  }

  private void expire(CompletableFuture<Permit> turn) {
    synchronized (lock) {
      if (!queue.remove(turn)) {
        return; // granted or withdrawn meanwhile
      }
    }
    RegistryException error =
        busy(
            "all "
                + maxConnections
                + " connections stayed busy for "
                + queueTimeout.toMillis()
                + " ms");
    handOver.execute(() -> turn.completeExceptionally(error));
  }

  private void withdraw(CompletableFuture<Permit> turn) {
    synchronized (lock) {
      queue.remove(turn);
    }
  }

  private RegistryException busy(String why) {
    log.debug("upstream {}: refusing a request: {}", upstream, why);
    return new RegistryException(
        ErrorCode.TOOMANYREQUESTS,
        "upstream " + upstream + ": " + why + "; try again shortly",
        Map.of("Retry-After", retryAfterSeconds()),
        null);
  }

  private static final class SystemTimer {
    static final ScheduledThreadPoolExecutor EXECUTOR = create();

    private static ScheduledThreadPoolExecutor create() {
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(
              1,
              task -> {
                Thread thread = new Thread(task, "stevedore-upstream-queue-timer");
                thread.setDaemon(true);
                return thread;
              });
      executor.setRemoveOnCancelPolicy(true);
      return executor;
    }
  }
}
