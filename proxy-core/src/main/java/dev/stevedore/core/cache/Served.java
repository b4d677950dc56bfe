package dev.stevedore.core.cache;

import java.util.Objects;
import java.util.function.Function;

/**
 * A value the cache answered with, next to how it came by it. The outcome belongs to one request,
 * not to the manifest or blob: the same stored manifest is a hit for one client, coalesced for
 * another and stale for a third, so it is reported beside the value rather than inside it.
 */
public record Served<T>(T value, CacheOutcome outcome) {
  public Served {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(outcome, "outcome");
  }

  public static <T> Served<T> hit(T value) {
    return new Served<>(value, CacheOutcome.HIT);
  }

  public static <T> Served<T> miss(T value) {
    return new Served<>(value, CacheOutcome.MISS);
  }

  /** The same value, served another way (for example coalesced with a fetch in flight). */
  public Served<T> as(CacheOutcome newOutcome) {
    return newOutcome == outcome ? this : new Served<>(value, newOutcome);
  }

  /** Another value served the same way. */
  public <U> Served<U> map(Function<? super T, ? extends U> mapper) {
    return new Served<>(mapper.apply(value), outcome);
  }

  /** Served because the upstream could not confirm it; the response says so. */
  public boolean stale() {
    return outcome == CacheOutcome.STALE;
  }
}
