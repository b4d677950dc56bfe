package dev.stevedore.server.it.support;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Faults in the bodies the {@link CdnFront}'s CDN streams, for the integrity tests: a throttle (so
 * a download lasts long enough to kill something in the middle of it), a flipped byte in one blob's
 * bytes (an upstream that corrupts), and a stall after part of one blob (an upstream that stops
 * sending but keeps the connection open). All of it is off by default, can be changed while
 * downloads run, and applies to every CDN response from then on (a throttle also to those already
 * streaming). {@link #reset()} turns everything off and releases stalled responses.
 */
public final class CdnStreamFaults {
  private static final Pattern RANGE_START = Pattern.compile("bytes=(\\d+)-.*");

  private record Stall(long afterBytes, CountDownLatch release) {}

  private volatile int throttleChunk;
  private volatile long throttlePauseNanos;
  private final Map<String, Long> corruptAt = new ConcurrentHashMap<>();
  private final Map<String, Stall> stalls = new ConcurrentHashMap<>();
  private final AtomicInteger stalled = new AtomicInteger();
  private final AtomicInteger corrupted = new AtomicInteger();

  CdnStreamFaults() {}

  /** Sends at most {@code chunkBytes} at a time and pauses {@code pause} after each chunk. */
  public void throttle(int chunkBytes, Duration pause) {
    if (chunkBytes < 1) {
      throw new IllegalArgumentException("chunkBytes must be positive: " + chunkBytes);
    }
    this.throttlePauseNanos = pause.toNanos();
    this.throttleChunk = chunkBytes;
  }

  /** Full speed again, also for responses already streaming. */
  public void stopThrottling() {
    this.throttleChunk = 0;
  }

  /** Every later CDN response for {@code digest} has the byte at {@code offset} inverted. */
  public void corrupt(String digest, long offset) {
    corruptAt.put(Objects.requireNonNull(digest, "digest"), offset);
  }

  public void stopCorrupting() {
    corruptAt.clear();
  }

  /** How many responses had a byte flipped. */
  public int corruptedResponses() {
    return corrupted.get();
  }

  /**
   * Every later CDN response for {@code digest} sends its first {@code afterBytes} bytes, flushes
   * them, then sends nothing more (keeping the connection open) until {@link #releaseStalls()}.
   */
  public void stall(String digest, long afterBytes) {
    stalls.put(
        Objects.requireNonNull(digest, "digest"), new Stall(afterBytes, new CountDownLatch(1)));
  }

  /** How many responses are stalled right now. */
  public int stalledResponses() {
    return stalled.get();
  }

  /** Lets stalled responses continue (to whoever still reads them) and stops stalling. */
  public void releaseStalls() {
    stalls.values().forEach(stall -> stall.release().countDown());
    stalls.clear();
  }

  /** Turns every fault off and releases stalled responses. */
  public void reset() {
    stopThrottling();
    stopCorrupting();
    releaseStalls();
    corrupted.set(0);
  }

  /**
   * Wraps the body stream of one CDN response for {@code digest}; {@code range} is the request's
   * Range header (null for the whole blob).
   */
  OutputStream wrap(String digest, String range, OutputStream body) {
    Matcher start = range == null ? null : RANGE_START.matcher(range.strip());
    long firstOffset = start != null && start.matches() ? Long.parseLong(start.group(1)) : 0;
    return new FaultyStream(body, firstOffset, corruptAt.get(digest), stalls.get(digest));
  }

  private final class FaultyStream extends FilterOutputStream {
    private final Long corruptOffset;
    private final Stall stall;
    private long offset;
    private boolean flipped;

    FaultyStream(OutputStream out, long firstOffset, Long corruptOffset, Stall stall) {
      super(out);
      this.offset = firstOffset;
      this.corruptOffset = corruptOffset;
      this.stall = stall;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws IOException {
      while (len > 0) {
        int chunk = len;
        int throttle = throttleChunk;
        if (throttle > 0) {
          chunk = Math.min(chunk, throttle);
        }
        if (stall != null && offset < stall.afterBytes()) {
          chunk = (int) Math.min(chunk, stall.afterBytes() - offset);
        }
        if (stall != null && offset >= stall.afterBytes()) {
          awaitRelease();
        }
        byte[] copy = Arrays.copyOfRange(bytes, off, off + chunk);
        if (corruptOffset != null && corruptOffset >= offset && corruptOffset < offset + chunk) {
          copy[(int) (corruptOffset - offset)] ^= (byte) 0xff;
          if (!flipped) {
            flipped = true;
            corrupted.incrementAndGet();
          }
        }
        out.write(copy, 0, chunk);
        offset += chunk;
        off += chunk;
        len -= chunk;
        if (throttle > 0) {
          out.flush();
          pause(throttlePauseNanos);
        }
      }
    }

    private void awaitRelease() throws IOException {
      out.flush();
      stalled.incrementAndGet();
      try {
        stall.release().await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("stalled CDN response interrupted");
      } finally {
        stalled.decrementAndGet();
      }
    }

    private void pause(long nanos) throws IOException {
      try {
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("throttled CDN response interrupted");
      }
    }
  }
}
