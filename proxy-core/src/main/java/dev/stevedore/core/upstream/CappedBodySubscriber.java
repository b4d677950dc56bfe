package dev.stevedore.core.upstream;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.time.Duration;
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
 */
final class CappedBodySubscriber implements BodySubscriber<CappedBytes> {

  private final int cap;
  private final CompletableFuture<CappedBytes> result = new CompletableFuture<>();
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private Flow.Subscription subscription;

  CappedBodySubscriber(int cap, Duration timeout) {
    this.cap = cap;
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
    subscription.request(1);
  }

  @Override
  public synchronized void onNext(List<ByteBuffer> buffers) {
    if (result.isDone()) {
      return;
    }
    boolean truncated = false;
    for (ByteBuffer buffer : buffers) {
      int room = cap - received.size();
      int take = Math.min(room, buffer.remaining());
      byte[] chunk = new byte[take];
      buffer.get(chunk);
      received.write(chunk, 0, take);
      truncated |= buffer.hasRemaining();
    }
    if (truncated) {
      subscription.cancel();
      result.complete(new CappedBytes(received.toByteArray(), true));
      return;
    }
    subscription.request(1);
  }

  @Override
  public synchronized void onError(Throwable failure) {
    result.completeExceptionally(failure);
  }

  @Override
  public synchronized void onComplete() {
    result.complete(new CappedBytes(received.toByteArray(), false));
  }

  private synchronized void cancel() {
    if (subscription != null) {
      subscription.cancel();
    }
  }
}
