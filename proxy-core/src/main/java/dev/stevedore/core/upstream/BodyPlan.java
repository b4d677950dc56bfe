package dev.stevedore.core.upstream;

import java.io.InputStream;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpResponse.ResponseInfo;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * How to read the response bodies of one exchange, decided when the headers arrive: a 200 body as
 * the plan says (buffered with a cap, streamed, or not at all), a redirect's body never read (the
 * connection is dropped at once: an endless redirect body must not hold the download), and any
 * other status's body buffered up to {@link #ERROR_BODY_CAP} for error mapping.
 *
 * <p>A plan is made for one exchange: every body it buffers, across redirects and retries, is held
 * in the {@link BufferBudget} under the plan's lease, which the exchange gives back with {@link
 * #release()} when it has done with the bodies.
 */
final class BodyPlan<T> {

  static final int ERROR_BODY_CAP = 64 * 1024;

  /** What a handler yields: the success body, or the capped error body. */
  record Part<T>(T body, CappedBytes errorBody) {}

  /** Makes the 200 body's subscriber from the announced length and the body timeout. */
  private interface Success<T> {
    BodySubscriber<T> subscriber(long announced, Duration timeout, BufferBudget.Lease lease);
  }

  /** What happens to the bodies of an exchange. */
  private enum Bodies {
    /** The 200 body as the plan says, other bodies capped for error mapping. */
    READ,
    /** None is kept; an empty one (a HEAD's) is consumed, so the connection is reused. */
    SKIPPED,
    /** None is read at all: the connection is dropped as the headers arrive. */
    DROPPED
  }

  private final Success<T> success;
  private final Bodies bodies;
  private final BufferBudget.Lease lease;

  private BodyPlan(Success<T> success, Bodies bodies, BufferBudget budget) {
    this.success = success;
    this.bodies = bodies;
    this.lease = Objects.requireNonNull(budget, "budget").lease();
  }

  /** A 200 body read into memory up to {@code cap} bytes, within {@code budget}. */
  static BodyPlan<CappedBytes> buffered(int cap, BufferBudget budget) {
    return new BodyPlan<>(
        (announced, timeout, lease) -> new CappedBodySubscriber(cap, announced, timeout, lease),
        Bodies.READ,
        budget);
  }

  /** A 200 body handed over as a stream as it arrives. */
  static BodyPlan<InputStream> streamed(BufferBudget budget) {
    return new BodyPlan<>(
        (announced, timeout, lease) -> BodySubscribers.ofInputStream(), Bodies.READ, budget);
  }

  /** No body is kept (HEAD requests, whose responses have none). */
  static BodyPlan<Void> headersOnly(BufferBudget budget) {
    return new BodyPlan<>(
        (announced, timeout, lease) -> BodySubscribers.replacing(null), Bodies.SKIPPED, budget);
  }

  /**
   * No body is read at all, whatever the status (the ping, a {@code GET} whose body could be
   * endless): the connection is dropped as soon as the headers are in.
   */
  static BodyPlan<Void> headersThenHangUp(BufferBudget budget) {
    return new BodyPlan<>(
        (announced, timeout, lease) -> new Unread<>(null), Bodies.DROPPED, budget);
  }

  /** Gives back what this plan's bodies hold in the budget; call it when the exchange ends. */
  void release() {
    lease.close();
  }

  /** The handler for one response; buffered bodies must arrive within {@code bodyTimeout}. */
  BodyHandler<Part<T>> handler(Duration bodyTimeout) {
    return info -> {
      int status = info.statusCode();
      if (RedirectingTransport.isRedirect(status) || bodies == Bodies.DROPPED) {
        return new Unread<>(new Part<>(null, CappedBytes.EMPTY));
      }
      if (bodies == Bodies.SKIPPED) {
        return BodySubscribers.replacing(new Part<>(null, CappedBytes.EMPTY));
      }
      long announced = announcedLength(info);
      if (status == 200) {
        return BodySubscribers.mapping(
            success.subscriber(announced, bodyTimeout, lease),
            body -> new Part<>(body, CappedBytes.EMPTY));
      }
      return BodySubscribers.mapping(
          new CappedBodySubscriber(ERROR_BODY_CAP, announced, bodyTimeout, lease),
          error -> new Part<>(null, error));
    };
  }

  private static long announcedLength(ResponseInfo info) {
    try {
      OptionalLong length = info.headers().firstValueAsLong("Content-Length");
      return length.isPresent() && length.getAsLong() >= 0 ? length.getAsLong() : -1;
    } catch (NumberFormatException malformed) {
      return -1;
    }
  }

  /**
   * A body that is never read: the subscription is cancelled as soon as it starts (which closes the
   * connection), and the value is there at once. {@link BodySubscribers#replacing} would read the
   * body to its end first, however long it is.
   */
  private static final class Unread<T> implements BodySubscriber<T> {
    private final CompletableFuture<T> value;

    Unread(T value) {
      this.value = CompletableFuture.completedFuture(value);
    }

    @Override
    public CompletionStage<T> getBody() {
      return value;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.cancel();
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      // cancelled: nothing more is read
    }

    @Override
    public void onError(Throwable throwable) {
      // the value does not depend on the body
    }

    @Override
    public void onComplete() {
      // the value does not depend on the body
    }
  }
}
