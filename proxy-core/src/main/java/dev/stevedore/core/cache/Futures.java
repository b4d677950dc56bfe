package dev.stevedore.core.cache;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Function;

/** Small helpers for composing blocking work and async results without blocking callers. */
public final class Futures {
  private Futures() {}

  /** Work that may throw checked exceptions, such as file I/O. */
  @FunctionalInterface
  public interface IoSupplier<T> {
    T get() throws Exception;
  }

  /** Runs blocking {@code work} on {@code executor}; checked exceptions fail the future. */
  public static <T> CompletableFuture<T> supplyBlocking(IoSupplier<T> work, Executor executor) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return work.get();
          } catch (RuntimeException e) {
            throw e;
          } catch (Exception e) {
            throw new CompletionException(e);
          }
        },
        executor);
  }

  /**
   * Runs {@code action} for every item with at most {@code parallelism} in flight; completes when
   * all have, or fails with the first failure (after the running ones end).
   */
  public static <T> CompletableFuture<Void> forEachLimited(
      List<T> items, int parallelism, Function<T, CompletableFuture<?>> action) {
    Iterator<T> pending = List.copyOf(items).iterator();
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    for (int i = 0; i < Math.min(parallelism, items.size()); i++) {
      lanes.add(nextInLane(pending, action));
    }
    return CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new));
  }

  private static <T> CompletableFuture<Void> nextInLane(
      Iterator<T> pending, Function<T, CompletableFuture<?>> action) {
    T item;
    synchronized (pending) {
      if (!pending.hasNext()) {
        return CompletableFuture.completedFuture(null);
      }
      item = pending.next();
    }
    return action.apply(item).thenCompose(done -> nextInLane(pending, action));
  }

  /** The real cause of a failed future's exception. */
  public static Throwable unwrap(Throwable error) {
    Throwable current = error;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }
}
