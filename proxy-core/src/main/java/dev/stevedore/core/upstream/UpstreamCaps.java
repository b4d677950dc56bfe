package dev.stevedore.core.upstream;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * How much of the line one upstream may use: at most {@code maxConnections} requests in flight (a
 * blob download counts until its body is read or closed), with up to {@code maxQueued} more waiting
 * up to {@code queueTimeout} for a turn before they fail with {@code TOOMANYREQUESTS}; and at most
 * {@code bytesPerSecond} of blob bytes, shared by all of the upstream's downloads. Empty means
 * unlimited.
 */
public record UpstreamCaps(
    OptionalInt maxConnections, Duration queueTimeout, int maxQueued, OptionalLong bytesPerSecond) {

  public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_QUEUED = 1000;

  /** No caps at all. */
  public static final UpstreamCaps NONE =
      new UpstreamCaps(
          OptionalInt.empty(), DEFAULT_QUEUE_TIMEOUT, DEFAULT_MAX_QUEUED, OptionalLong.empty());

  public UpstreamCaps {
    Objects.requireNonNull(maxConnections, "maxConnections");
    Objects.requireNonNull(queueTimeout, "queueTimeout");
    Objects.requireNonNull(bytesPerSecond, "bytesPerSecond");
    if (maxConnections.isPresent() && maxConnections.getAsInt() < 1) {
      throw new IllegalArgumentException(
          "max connections must be at least 1: " + maxConnections.getAsInt());
    }
    if (queueTimeout.isNegative()) {
      throw new IllegalArgumentException("queue timeout must not be negative: " + queueTimeout);
    }
    if (maxQueued < 0) {
      throw new IllegalArgumentException("max queued must not be negative: " + maxQueued);
    }
    if (bytesPerSecond.isPresent() && bytesPerSecond.getAsLong() < 1) {
      throw new IllegalArgumentException(
          "bandwidth must be at least 1 byte/s: " + bytesPerSecond.getAsLong());
    }
  }

  public UpstreamCaps withMaxConnections(int maxConnections) {
    return new UpstreamCaps(
        OptionalInt.of(maxConnections), queueTimeout, maxQueued, bytesPerSecond);
  }

  public UpstreamCaps withQueueTimeout(Duration queueTimeout) {
    return new UpstreamCaps(maxConnections, queueTimeout, maxQueued, bytesPerSecond);
  }

  public UpstreamCaps withMaxQueued(int maxQueued) {
    return new UpstreamCaps(maxConnections, queueTimeout, maxQueued, bytesPerSecond);
  }

  public UpstreamCaps withBandwidth(long bytesPerSecond) {
    return new UpstreamCaps(
        maxConnections, queueTimeout, maxQueued, OptionalLong.of(bytesPerSecond));
  }

  /** Whether any cap is set. */
  public boolean limits() {
    return maxConnections.isPresent() || bytesPerSecond.isPresent();
  }
}
