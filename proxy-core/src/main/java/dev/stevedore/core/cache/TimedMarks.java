package dev.stevedore.core.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Keys marked for a while, by an injected clock: "this tag was missing upstream a moment ago", "we
 * warned about this tag this minute". Bounded in size; the oldest marks go first.
 */
final class TimedMarks<K> {
  private static final int MAX_KEYS = 10_000;

  private final Clock clock;
  private final Cache<K, Instant> until = Caffeine.newBuilder().maximumSize(MAX_KEYS).build();

  TimedMarks(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Marks {@code key} for {@code duration} from now. */
  void mark(K key, Duration duration) {
    until.put(key, clock.instant().plus(duration));
  }

  boolean isMarked(K key) {
    Instant end = until.getIfPresent(key);
    return end != null && end.isAfter(clock.instant());
  }

  /** Marks {@code key} unless it is marked already; returns whether this call marked it. */
  boolean markIfUnmarked(K key, Duration duration) {
    Instant now = clock.instant();
    boolean[] marked = {false};
    until
        .asMap()
        .compute(
            key,
            (k, end) -> {
              if (end != null && end.isAfter(now)) {
                return end;
              }
              marked[0] = true;
              return now.plus(duration);
            });
    return marked[0];
  }

  void clear(K key) {
    until.invalidate(key);
  }
}
