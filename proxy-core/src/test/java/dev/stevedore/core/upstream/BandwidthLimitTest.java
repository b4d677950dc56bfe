package dev.stevedore.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.stevedore.core.testing.FakeTicker;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BandwidthLimitTest {

  private static final int MIB = 1024 * 1024;

  private final FakeTicker ticker = new FakeTicker();

  /** Sleeping advances the fake clock and nothing else. */
  private BandwidthLimit limit(long bytesPerSecond) {
    return new BandwidthLimit(
        bytesPerSecond, ticker, nanos -> ticker.advance(Duration.ofNanos(nanos)));
  }

  private static InputStream bytes(int count) {
    return new ByteArrayInputStream(new byte[count]);
  }

  private double elapsedSeconds(long startNanos) {
    return (ticker.read() - startNanos) / 1e9;
  }

  @Test
  void oneDownload_keepsToTheRate() throws IOException {
    BandwidthLimit limit = limit(4L * MIB);
    long start = ticker.read();

    long read;
    try (InputStream in = limit.throttle(bytes(2 * MIB))) {
      read = in.transferTo(java.io.OutputStream.nullOutputStream());
    }

    assertThat(read).isEqualTo(2 * MIB);
    // 2 MiB at 4 MiB/s is 0.5 s, less the one-slice burst an idle bucket allows (50 ms)
    assertThat(elapsedSeconds(start)).isCloseTo(0.5, within(0.06));
  }

  @Test
  void twoDownloads_shareTheRate() throws IOException {
    BandwidthLimit limit = limit(4L * MIB);
    long start = ticker.read();
    byte[] buffer = new byte[64 * 1024];

    try (InputStream a = limit.throttle(bytes(MIB));
        InputStream b = limit.throttle(bytes(MIB))) {
      boolean aDone = false;
      boolean bDone = false;
      while (!aDone || !bDone) {
        aDone = aDone || a.read(buffer) < 0;
        bDone = bDone || b.read(buffer) < 0;
      }
    }

    assertThat(elapsedSeconds(start)).isCloseTo(0.5, within(0.06));
  }

  @Test
  void reads_takeAtMostOneSlice() throws IOException {
    BandwidthLimit limit = limit(4L * MIB);
    byte[] buffer = new byte[MIB];

    int read = limit.throttle(bytes(MIB)).read(buffer, 0, buffer.length);

    assertThat(limit.slice()).isEqualTo(4 * MIB / 20);
    assertThat(read).isEqualTo(limit.slice());
  }

  @Test
  void slowRates_stillReadAtLeastTheMinimumSlice() {
    assertThat(limit(100).slice()).isEqualTo(BandwidthLimit.MIN_SLICE);
    assertThat(limit(1L << 40).slice()).isEqualTo(BandwidthLimit.MAX_SLICE);
  }

  @Test
  void idleBucket_allowsOnlyASmallBurst() throws IOException {
    BandwidthLimit limit = limit(MIB);
    ticker.advance(Duration.ofMinutes(10)); // a long idle spell saves up nothing beyond one slice
    long start = ticker.read();

    try (InputStream in = limit.throttle(bytes(MIB))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }

    assertThat(elapsedSeconds(start)).isCloseTo(1.0, within(0.06));
  }

  @Test
  void singleByteReads_arePaidFor() throws IOException {
    BandwidthLimit limit = limit(1000);
    long start = ticker.read();

    try (InputStream in = limit.throttle(bytes(3000))) {
      while (in.read() >= 0) {
        // byte by byte
      }
    }

    // 3000 bytes at 1000 B/s, less the 1 KiB burst
    assertThat(elapsedSeconds(start)).isCloseTo(3.0 - 1.024, within(0.01));
  }

  @Test
  void interruptedWhileWaiting_failsTheRead_andKeepsTheFlag() {
    BandwidthLimit limit =
        new BandwidthLimit(
            1000,
            ticker,
            nanos -> {
              throw new InterruptedException();
            });
    InputStream in = limit.throttle(bytes(10_000));

    try {
      assertThatThrownBy(() -> in.readNBytes(10_000)).isInstanceOf(InterruptedIOException.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  /**
   * The production constructor really waits: with the system ticker and {@code Thread.sleep}, the
   * bucket lets 128 KiB through at 512 KiB/s no sooner than the rate allows after its one-slice
   * burst. A lower bound only, and an exact one: sleeping never ends early by more than the
   * sub-millisecond part {@code Thread.sleep} may drop (the next wait makes up for an earlier one),
   * so this holds however busy the machine; a limiter that did not sleep would finish at once.
   */
  @Test
  void realClock_slowsAReadToTheRate() throws IOException {
    BandwidthLimit limit = new BandwidthLimit(512 * 1024);
    int bytes = 128 * 1024;
    long start = System.nanoTime();

    try (InputStream in = limit.throttle(bytes(bytes))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }

    long elapsed = System.nanoTime() - start;
    long atTheRate = (long) ((bytes - limit.slice()) * 1e9 / limit.bytesPerSecond());
    assertThat(Duration.ofNanos(elapsed))
        .as("128 KiB less a %d-byte burst at 512 KiB/s", limit.slice())
        .isGreaterThanOrEqualTo(Duration.ofNanos(atTheRate).minusMillis(1));
  }
}
