package dev.stevedore.core.testing;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Elapsed time that moves only when the test says so: pass it wherever production code takes a
 * {@link Ticker} (TTLs, backoff, bandwidth, stall detection) and {@link #advance} it instead of
 * sleeping. Starts at one second, not zero, so "never" and "at the start" differ.
 */
public final class FakeTicker implements Ticker {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Override
  public long read() {
    return nanos.get();
  }

  public void advance(Duration duration) {
    nanos.addAndGet(duration.toNanos());
  }
}
