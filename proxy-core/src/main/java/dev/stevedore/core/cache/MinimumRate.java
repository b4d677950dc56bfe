package dev.stevedore.core.cache;

import java.time.Duration;
import java.util.Objects;

/**
 * The slowest an upstream may send a blob: at least {@code bytes} in every {@code window}. A
 * download below it is abandoned like a stalled one, so an upstream that trickles a byte a second
 * (never quite stalling) cannot hold a blob, and every client waiting for it, forever. The default,
 * 16 KiB a minute, is far below any real link, however slow or busy.
 */
public record MinimumRate(long bytes, Duration window) {

  public static final MinimumRate DEFAULT = new MinimumRate(16 * 1024, Duration.ofSeconds(60));

  public MinimumRate {
    Objects.requireNonNull(window, "window");
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must not be negative: " + bytes);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive: " + window);
    }
  }

  /**
   * Parses {@code BYTES/SECONDS}, such as {@code 16384/60}.
   *
   * @throws IllegalArgumentException when it is not of that form
   */
  public static MinimumRate parse(String text) {
    String[] parts = text.strip().split("/", 2);
    try {
      return new MinimumRate(
          Long.parseLong(parts[0].strip()), Duration.ofSeconds(Long.parseLong(parts[1].strip())));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not BYTES/SECONDS: " + text, e);
    }
  }

  /** A fresh tracker for one download that starts at {@code startNanos}. */
  Tracker track(long startNanos) {
    return new Tracker(startNanos);
  }

  /**
   * Judges one download by windows: each check after a window has passed compares the bytes
   * received since the window began with the minimum, then starts the next window.
   */
  final class Tracker {
    private long windowStart;
    private long bytesAtStart;

    private Tracker(long startNanos) {
      this.windowStart = startNanos;
    }

    /** Whether the download fell below the minimum; {@code received} counts every byte so far. */
    synchronized boolean tooSlow(long nowNanos, long received) {
      if (nowNanos - windowStart < window.toNanos()) {
        return false;
      }
      boolean slow = received - bytesAtStart < bytes;
      windowStart = nowNanos;
      bytesAtStart = received;
      return slow;
    }
  }
}
