package dev.stevedore.server.store;

import dev.stevedore.server.DaemonThreads;
import dev.stevedore.storage.EvictionReport;
import dev.stevedore.storage.StaleUploads;
import dev.stevedore.storage.StoreEviction;
import dev.stevedore.storage.StorePulls;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared store's periodic work, on one thread of its own so a slow store never delays the
 * cache's own housekeeping: the health check (every {@value #HEALTH_SECONDS} s), the flush of this
 * replica's pull record (every {@value #PULLS_SECONDS} s: pulls are counted in memory, never one
 * write per request), the sweep of multipart uploads a crashed writer left (once at start, older
 * than a day) and, with {@code --max-store-size}, eviction of the least recently pulled blobs
 * (every {@value #EVICTION_MINUTES} minutes). Every task logs its failure and runs again next time.
 */
public final class StoreHousekeeping implements AutoCloseable {
  static final long HEALTH_SECONDS = 10;
  static final long PULLS_SECONDS = 60;
  static final long EVICTION_MINUTES = 10;

  private static final Logger log = LoggerFactory.getLogger(StoreHousekeeping.class);

  private final StoreHealth health;
  private final StorePulls pulls;
  private final StaleUploads staleUploads;
  private final StoreEviction eviction;
  private final OptionalLong budget;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("stevedore-store"));

  public StoreHousekeeping(
      StoreHealth health,
      StorePulls pulls,
      StaleUploads staleUploads,
      StoreEviction eviction,
      OptionalLong budget) {
    this.health = Objects.requireNonNull(health, "health");
    this.pulls = Objects.requireNonNull(pulls, "pulls");
    this.staleUploads = Objects.requireNonNull(staleUploads, "staleUploads");
    this.eviction = Objects.requireNonNull(eviction, "eviction");
    this.budget = Objects.requireNonNull(budget, "budget");
  }

  /** Schedules the work; returns this. */
  public StoreHousekeeping start() {
    thread.execute(() -> attempt("sweep stale uploads", this::sweepStaleUploads));
    every(Duration.ofSeconds(HEALTH_SECONDS), "check the store", health::refresh);
    every(Duration.ofSeconds(PULLS_SECONDS), "flush the pull record", pulls::flush);
    if (budget.isPresent()) {
      every(Duration.ofMinutes(EVICTION_MINUTES), "evict from the store", this::evict);
    }
    return this;
  }

  /** Runs an eviction now, on the store's thread (what the schedule does; for tests). */
  public java.util.concurrent.Future<?> evictNow() {
    return thread.submit(() -> attempt("evict from the store", this::evict));
  }

  /** Flushes the pull record once more (bounded by the store's timeouts) and stops. */
  @Override
  public void close() {
    thread.shutdownNow();
    attempt("flush the pull record", pulls::flush);
  }

  private void sweepStaleUploads() throws IOException {
    int aborted = staleUploads.abortOlderThan(StaleUploads.DEFAULT_AGE);
    if (aborted > 0) {
      log.info("Aborted {} multipart uploads that crashed writers left in the store", aborted);
    }
  }

  private void evict() throws IOException {
    EvictionReport report = eviction.run(budget.getAsLong());
    if (report.evicted() > 0) {
      log.info("Store eviction: {}", report);
    }
  }

  private void every(Duration interval, String what, Task task) {
    long millis = interval.toMillis();
    thread.scheduleWithFixedDelay(() -> attempt(what, task), millis, millis, TimeUnit.MILLISECONDS);
  }

  private static void attempt(String what, Task task) {
    try {
      task.run();
    } catch (IOException | RuntimeException e) {
      log.warn("Cannot {}: {}", what, e.toString());
    }
  }

  @FunctionalInterface
  private interface Task {
    void run() throws IOException;
  }
}
