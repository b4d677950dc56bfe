package dev.stevedore.storage;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far a blob being written may be read, and who waits for more. This is where "never a complete
 * wrong blob" is decided: of a blob of announced size, the last byte becomes readable only once the
 * blob verified and was committed. Of a blob of unknown size every written byte is readable (a
 * reader cannot tell the last one), and only {@link #verified()} says it is complete.
 *
 * <p>Waiters are woken every {@link #SIGNAL_STEP} bytes and when the write ends, not after every
 * small write. Thread-safe: one writer, any number of readers.
 */
final class WriteProgress {
  /** Readers are woken every this many bytes (and at the end), not after every small write. */
  static final long SIGNAL_STEP = 256 * 1024;

  private enum State {
    WRITING,
    VERIFIED,
    FAILED
  }

  private final long size;
  private final AtomicLong written = new AtomicLong();
  private final List<Waiter> waiters = new ArrayList<>();
  private volatile State state = State.WRITING;
  private long signalled;

  /**
   * @param size the announced size, or {@link BlobReader#UNKNOWN_SIZE}
   */
  WriteProgress(long size) {
    this.size = size;
  }

  /** The announced size; once verified, the size written. */
  long size() {
    return state == State.VERIFIED ? written.get() : size;
  }

  long written() {
    return written.get();
  }

  long readable() {
    long now = written.get();
    if (state == State.VERIFIED || size < 0) {
      return now;
    }
    return Math.min(now, size - 1);
  }

  boolean verified() {
    return state == State.VERIFIED;
  }

  boolean failed() {
    return state == State.FAILED;
  }

  /** {@code count} more bytes are in the file; wakes waiters every {@link #SIGNAL_STEP} bytes. */
  void advance(long count) {
    long now = written.addAndGet(count);
    if (now - signalled >= SIGNAL_STEP) {
      signalled = now;
      signal();
    }
  }

  /** The blob verified and was committed: all of it is readable. */
  void verify() {
    end(State.VERIFIED);
  }

  /** The write failed or did not verify: nothing more will become readable. */
  void fail() {
    end(State.FAILED);
  }

  CompletionStage<Void> await(long position) {
    synchronized (waiters) {
      if (readable() > position || state != State.WRITING) {
        return CompletableFuture.completedStage(null);
      }
      Waiter waiter = new Waiter(position, new CompletableFuture<>());
      waiters.add(waiter);
      return waiter.signal();
    }
  }

  private void end(State outcome) {
    if (state == State.WRITING) {
      state = outcome;
      signal();
    }
  }

  private void signal() {
    List<Waiter> ready = new ArrayList<>();
    synchronized (waiters) {
      long readable = readable();
      boolean ended = state != State.WRITING;
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter waiter = it.next();
        if (ended || readable > waiter.position()) {
          it.remove();
          ready.add(waiter);
        }
      }
    }
    ready.forEach(waiter -> waiter.signal().complete(null));
  }

  @Override
  public String toString() {
    return written.get() + " of " + (size < 0 ? "?" : size) + " bytes, " + state;
  }

  private record Waiter(long position, CompletableFuture<Void> signal) {}
}
