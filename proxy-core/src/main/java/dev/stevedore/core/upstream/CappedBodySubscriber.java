package dev.stevedore.core.upstream;

import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * Reads a response body into memory up to {@code cap} bytes, then stops reading (and drops the
 * connection) and reports it truncated. The body must arrive within {@code timeout} of the headers
 * (else a {@link java.util.concurrent.TimeoutException}), so a stalled upstream cannot hang a
 * caller forever.
 *
 * <p>Every byte kept is first reserved in the exchange's {@link BufferBudget.Lease}; no more is
 * asked of the upstream until the reservation is granted, and a refused one fails the body. A body
 * of announced length reserves it up front and is read into one array of that size; a body of
 * unknown length is kept as the pieces that arrive, joined once at the end, so it reserves twice
 * what it keeps (the pieces and the joined copy live together for a moment).
 */
final class CappedBodySubscriber implements BodySubscriber<CappedBytes> {

  private final int cap;
  private final long announced;
  private final BufferBudget.Lease lease;
  private final CompletableFuture<CappedBytes> result = new CompletableFuture<>();
  private final List<byte[]> pieces = new ArrayList<>();
  private byte[] whole;
  private int size;
  private Flow.Subscription subscription;

  /**
   * @param announced the Content-Length, or -1 when the upstream did not say
   */
  CappedBodySubscriber(int cap, long announced, Duration timeout, BufferBudget.Lease lease) {
    this.cap = cap;
    this.announced = announced;
    this.lease = lease;
    result
        .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete(
            (bytes, failure) -> {
              if (failure != null) {
                cancel();
              }
            });
  }

  @Override
  public CompletionStage<CappedBytes> getBody() {
    return result;
  }

  @Override
  public synchronized void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    if (result.isDone()) {
      subscription.cancel();
      return;
    }
    if (announced > cap) {
      subscription.cancel();
      result.complete(new CappedBytes(new byte[0], true));
      return;
    }
    if (announced < 0) {
      subscription.request(1);
      return;
    }
    lease
        .reserve(announced)
        .whenComplete(
            (granted, refused) -> {
              if (refused != null) {
                fail(refused);
                return;
              }
              requestMore(() -> whole = new byte[(int) announced]);
            });
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    long arriving = 0;
    for (ByteBuffer buffer : buffers) {
      arriving += buffer.remaining();
    }
    synchronized (this) {
      if (result.isDone()) {
        return;
      }
      if (whole != null || arriving == 0) {
        keep(buffers);
        return;
      }
    }
    long kept = Math.min(arriving, Math.max(0, cap - sizeNow()));
    lease
        .reserve(2 * kept)
        .whenComplete(
            (granted, refused) -> {
              if (refused != null) {
                fail(refused);
                return;
              }
              synchronized (this) {
                if (!result.isDone()) {
                  keep(buffers);
                }
              }
            });
  }

  @Override
  public synchronized void onError(Throwable failure) {
    result.completeExceptionally(failure);
  }

  @Override
  public synchronized void onComplete() {
    if (whole != null) {
      result.complete(
          new CappedBytes(
              size == whole.length ? whole : java.util.Arrays.copyOf(whole, size), false));
      return;
    }
    result.complete(new CappedBytes(joined(), false));
  }

  /** Takes what fits of {@code buffers}, then asks for more or ends truncated. Holds the lock. */
  private void keep(List<ByteBuffer> buffers) {
    boolean truncated = false;
    for (ByteBuffer buffer : buffers) {
      int room = (whole != null ? whole.length : cap) - size;
      int take = Math.min(room, buffer.remaining());
      if (take > 0) {
        if (whole != null) {
          buffer.get(whole, size, take);
        } else {
          byte[] piece = new byte[take];
          buffer.get(piece);
          pieces.add(piece);
        }
        size += take;
      }
      truncated |= buffer.hasRemaining();
    }
    if (truncated) {
      subscription.cancel();
      result.complete(new CappedBytes(whole != null ? whole : joined(), true));
      return;
    }
    subscription.request(1);
  }

  private synchronized void requestMore(Runnable prepare) {
    if (result.isDone()) {
      return;
    }
    prepare.run();
    subscription.request(1);
  }

  private synchronized int sizeNow() {
    return size;
  }

  private byte[] joined() {
    byte[] all = new byte[size];
    int offset = 0;
    for (byte[] piece : pieces) {
      System.arraycopy(piece, 0, all, offset, piece.length);
      offset += piece.length;
    }
    pieces.clear();
    return all;
  }

  private synchronized void fail(Throwable failure) {
    if (result.completeExceptionally(UpstreamErrors.unwrap(failure))) {
      pieces.clear();
      if (subscription != null) {
        subscription.cancel();
      }
    }
  }

  private synchronized void cancel() {
    if (subscription != null) {
      subscription.cancel();
    }
  }
}
