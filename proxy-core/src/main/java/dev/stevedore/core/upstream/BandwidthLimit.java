package dev.stevedore.core.upstream;

import com.github.benmanes.caffeine.cache.Ticker;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Objects;

/**
 * A token bucket in bytes per second shared by all of one upstream's downloads. Each read of a
 * {@link #throttle throttled} stream takes at most a slice (about 50 ms worth of bytes) and then
 * pays for what it got, sleeping until the bytes fit the rate; so the average over all readers
 * stays at the rate, and an idle bucket allows a burst of at most one slice. Reads happen on fetch
 * threads, never the event loop, so sleeping there is fine.
 */
final class BandwidthLimit {

  /** Sleeps; injected so tests can advance a fake clock instead. */
  interface Sleeper {
    void sleep(long nanos) throws InterruptedException;
  }

  static final int MIN_SLICE = 1024;
  static final int MAX_SLICE = 1024 * 1024;
  private static final long SLICES_PER_SECOND = 20;

  private final long bytesPerSecond;
  private final double nanosPerByte;
  private final int slice;
  private final long burstNanos;
  private final Ticker ticker;
  private final Sleeper sleeper;
  private final Object lock = new Object();
  private long nextFreeNanos;

  BandwidthLimit(long bytesPerSecond) {
    this(
        bytesPerSecond,
        Ticker.systemTicker(),
        nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
  }

  BandwidthLimit(long bytesPerSecond, Ticker ticker, Sleeper sleeper) {
    if (bytesPerSecond < 1) {
      throw new IllegalArgumentException("bandwidth must be at least 1 byte/s: " + bytesPerSecond);
    }
    this.bytesPerSecond = bytesPerSecond;
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.nanosPerByte = 1e9 / bytesPerSecond;
    this.slice = (int) Math.max(MIN_SLICE, Math.min(MAX_SLICE, bytesPerSecond / SLICES_PER_SECOND));
    this.burstNanos = (long) Math.ceil(slice * nanosPerByte);
    this.nextFreeNanos = ticker.read() - burstNanos;
  }

  long bytesPerSecond() {
    return bytesPerSecond;
  }

  /** The most bytes one read takes before paying for them. */
  int slice() {
    return slice;
  }

  /** {@code in}, read no faster than this limit allows (together with every other stream of it). */
  InputStream throttle(InputStream in) {
    return new Throttled(Objects.requireNonNull(in, "in"));
  }

  /** Waits until {@code bytes} more fit the rate. */
  void pay(long bytes) throws InterruptedIOException {
    long waitNanos;
    synchronized (lock) {
      long now = ticker.read();
      nextFreeNanos = Math.max(nextFreeNanos, now - burstNanos);
      nextFreeNanos += (long) Math.ceil(bytes * nanosPerByte);
      waitNanos = nextFreeNanos - now;
    }
    if (waitNanos <= 0) {
      return;
    }
    try {
      sleeper.sleep(waitNanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while keeping to the bandwidth limit");
    }
  }

  private final class Throttled extends FilterInputStream {

    Throttled(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int value = in.read();
      if (value >= 0) {
        pay(1);
      }
      return value;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int read = in.read(buffer, offset, Math.min(length, slice));
      if (read > 0) {
        pay(read);
      }
      return read;
    }

    @Override
    public long skip(long count) throws IOException {
      long skipped = in.skip(Math.min(count, slice));
      if (skipped > 0) {
        pay(skipped);
      }
      return skipped;
    }
  }
}
