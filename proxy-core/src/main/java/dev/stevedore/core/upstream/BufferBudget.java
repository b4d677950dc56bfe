package dev.stevedore.core.upstream;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one budget for response bodies held in memory while they arrive (manifests, tag lists,
 * tokens, error bodies), shared by every upstream client of a process. Each body reserves its bytes
 * before it keeps them and gives them back when its exchange ends, so a thousand slow, large
 * manifests in flight cannot add up to an {@link OutOfMemoryError}: a reservation that does not fit
 * waits (in arrival order) up to {@code maxWait} for others to finish, then fails with {@code
 * TOOMANYREQUESTS}. Waiting never blocks a thread: reservations are futures.
 */
public final class BufferBudget {

  /** The most the default budget takes, whatever the heap. */
  public static final long MAX_DEFAULT_BYTES = 512L * 1024 * 1024;

  /** The least the default budget takes: one manifest of the largest size accepted, twice. */
  public static final long MIN_DEFAULT_BYTES = 2L * ManifestReplies.MAX_MANIFEST_BYTES;

  /** How long a reservation waits for room by default. */
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(2);

  private final long capacity;
  private final Duration maxWait;
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private long used;

  public BufferBudget(long capacity, Duration maxWait) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
    this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
  }

  /**
   * The budget for this JVM: a quarter of the maximum heap, at least {@link #MIN_DEFAULT_BYTES} and
   * at most {@link #MAX_DEFAULT_BYTES}; the rest of the heap is left to what the budget does not
   * cover (Netty's and the HTTP client's own buffers, caches, bodies being written out).
   */
  public static BufferBudget forHeap() {
    return new BufferBudget(defaultCapacity(Runtime.getRuntime().maxMemory()), DEFAULT_MAX_WAIT);
  }

  static long defaultCapacity(long maxHeap) {
    return Math.max(MIN_DEFAULT_BYTES, Math.min(MAX_DEFAULT_BYTES, maxHeap / 4));
  }

  public long capacity() {
    return capacity;
  }

  /** Bytes reserved now. */
  public synchronized long used() {
    return used;
  }

  /** A new group of reservations, given back together by {@link Lease#close()}. */
  public Lease lease() {
    return new Lease();
  }

  /**
   * Reserves {@code bytes} now if they fit and nobody waits before us, else when enough is given
   * back; fails with {@code TOOMANYREQUESTS} after {@code maxWait}, or at once when {@code bytes}
   * could never fit.
   */
  CompletableFuture<Void> reserve(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative reservation: " + bytes);
    }
    if (bytes > capacity) {
      return CompletableFuture.failedFuture(exhausted(bytes));
    }
    Waiter waiter;
    synchronized (this) {
      if (waiters.isEmpty() && used + bytes <= capacity) {
        used += bytes;
        return CompletableFuture.completedFuture(null);
      }
      waiter = new Waiter(bytes, new CompletableFuture<>());
      waiters.addLast(waiter);
    }
    CompletableFuture.delayedExecutor(maxWait.toNanos(), TimeUnit.NANOSECONDS)
        .execute(() -> giveUpWaiting(waiter));
    return waiter.granted();
  }

  /** Gives back {@code bytes} and lets waiters in, first come first served. */
  void release(long bytes) {
    if (bytes <= 0) {
      return;
    }
    synchronized (this) {
      used = Math.max(0, used - bytes);
    }
    grantWaiting();
  }

  private void giveUpWaiting(Waiter waiter) {
    boolean wasWaiting;
    synchronized (this) {
      wasWaiting = waiters.remove(waiter);
    }
    if (wasWaiting) {
      waiter.granted().completeExceptionally(exhausted(waiter.bytes()));
      grantWaiting(); // a large waiter at the head may have held back smaller ones
    }
  }

  private void grantWaiting() {
    while (true) {
      Waiter next;
      synchronized (this) {
        next = waiters.peekFirst();
        if (next == null || used + next.bytes() > capacity) {
          return;
        }
        waiters.removeFirst();
        used += next.bytes();
      }
      next.granted().complete(null);
    }
  }

  private RegistryException exhausted(long bytes) {
    return new RegistryException(
        ErrorCode.TOOMANYREQUESTS,
        "too many upstream responses in flight: no room for "
            + bytes
            + " more bytes within the "
            + capacity
            + "-byte buffer budget; retry shortly",
        Map.of("Retry-After", "1"),
        null);
  }

  private record Waiter(long bytes, CompletableFuture<Void> granted) {}

  /**
   * The reservations of one exchange (all its bodies, across redirects and retries), given back at
   * once when it ends. Bytes reserved after the close are given back as soon as they are granted.
   */
  public final class Lease implements AutoCloseable {
    private long held;
    private boolean closed;

    private Lease() {}

    /** Reserves {@code bytes} for this lease; see {@link BufferBudget#reserve(long)}. */
    CompletableFuture<Void> reserve(long bytes) {
      return BufferBudget.this
          .reserve(bytes)
          .thenRun(
              () -> {
                boolean keep;
                synchronized (this) {
                  keep = !closed;
                  if (keep) {
                    held += bytes;
                  }
                }
                if (!keep) {
                  release(bytes);
                }
              });
    }

    /** Bytes this lease holds. */
    synchronized long held() {
      return held;
    }

    @Override
    public void close() {
      long giveBack;
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        giveBack = held;
        held = 0;
      }
      release(giveBack);
    }
  }
}
