package dev.stevedore.core.upstream;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An upstream's pull budget as its last manifest response stated it ({@code ratelimit-limit:
 * 100;w=21600}, {@code ratelimit-remaining: 76;w=21600}, {@code docker-ratelimit-source}).
 */
public record RateLimit(
    long limit, long remaining, long windowSeconds, Optional<String> source, Instant observedAt) {

  public RateLimit {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(observedAt, "observedAt");
  }

  /** True when less than a tenth of the budget is left. */
  public boolean isLow() {
    return remaining * 10 < limit;
  }
}
