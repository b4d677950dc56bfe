package dev.stevedore.core.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

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
