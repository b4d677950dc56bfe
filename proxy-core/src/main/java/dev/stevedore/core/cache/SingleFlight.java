package dev.stevedore.core.cache;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Runs at most one piece of async work per key at a time: callers that arrive while the work for
 * their key is in flight share its result. Failures are not remembered; the next call starts
 * afresh.
 */
public final class SingleFlight<K, V> {

  private final ConcurrentHashMap<K, CompletableFuture<V>> inFlight = new ConcurrentHashMap<>();

  /** The shared result for {@code key}, starting {@code work} only if none is in flight. */
  public CompletableFuture<V> run(K key, Supplier<CompletableFuture<V>> work) {
    return run(key, work, UnaryOperator.identity());
  }

  /**
   * Like {@link #run(Object, Supplier)}, but a caller that joins work already in flight gets its
   * result through {@code forJoiner} (for example to mark it as coalesced).
   */
  public CompletableFuture<V> run(
      K key, Supplier<CompletableFuture<V>> work, UnaryOperator<V> forJoiner) {
    Objects.requireNonNull(key, "key");
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> existing = inFlight.putIfAbsent(key, mine);
    if (existing != null) {
      return existing.thenApply(forJoiner);
    }
    try {
      work.get()
          .whenComplete(
              (value, error) -> {
                inFlight.remove(key, mine);
                if (error != null) {
                  mine.completeExceptionally(error);
                } else {
                  mine.complete(value);
                }
              });
    } catch (RuntimeException e) {
      inFlight.remove(key, mine);
      mine.completeExceptionally(e);
    }
    return mine.copy();
  }

  /** How many keys have work in flight. */
  public int size() {
    return inFlight.size();
  }
}
