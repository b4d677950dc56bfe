package dev.stevedore.server;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.util.Objects;

/**
 * Where a running Stevedore takes its time from; the one convention for every part whose behaviour
 * depends on time. Wall time (tag TTLs, negative-cache marks, timestamps people read) comes from
 * the {@link Clock}; elapsed time (stall detection, minimum download rate, sign-in backoff, token
 * lifetimes, TTL caches) from Caffeine's {@link Ticker}. Both are injected, never read from {@code
 * System.nanoTime()}, {@code System.currentTimeMillis()} or {@code Instant.now()}, so a test passes
 * a fake clock and ticker and advances them instead of sleeping. Only a log line's "took N ms" may
 * read the system timer directly.
 */
public record TimeSource(Clock clock, Ticker ticker) {
  /** The system's UTC clock and nanosecond timer: what production runs on. */
  public static final TimeSource SYSTEM = new TimeSource(Clock.systemUTC(), Ticker.systemTicker());

  public TimeSource {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(ticker, "ticker");
  }
}
