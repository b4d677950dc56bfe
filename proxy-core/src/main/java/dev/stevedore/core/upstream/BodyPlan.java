package dev.stevedore.core.upstream;

import java.io.InputStream;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.time.Duration;
import java.util.function.Function;

/**
 * How to read a response body, decided when the headers arrive: a 200 body as the plan says
 * (buffered with a cap, streamed, or not at all), a redirect's body discarded, and any other
 * status's body buffered up to {@link #ERROR_BODY_CAP} for error mapping.
 */
final class BodyPlan<T> {

  static final int ERROR_BODY_CAP = 64 * 1024;

  /** What a handler yields: the success body, or the capped error body. */
  record Part<T>(T body, CappedBytes errorBody) {}

  private final Function<Duration, BodySubscriber<T>> success;
  private final boolean readsBodies;

  private BodyPlan(Function<Duration, BodySubscriber<T>> success, boolean readsBodies) {
    this.success = success;
    this.readsBodies = readsBodies;
  }

  /** A 200 body read into memory up to {@code cap} bytes. */
  static BodyPlan<CappedBytes> buffered(int cap) {
    return new BodyPlan<>(timeout -> new CappedBodySubscriber(cap, timeout), true);
  }

  /** A 200 body handed over as a stream as it arrives. */
  static BodyPlan<InputStream> streamed() {
    return new BodyPlan<>(timeout -> BodySubscribers.ofInputStream(), true);
  }

  /** No body is read (HEAD requests, the ping). */
  static BodyPlan<Void> headersOnly() {
    return new BodyPlan<>(timeout -> BodySubscribers.replacing(null), false);
  }

  /** The handler for one exchange; buffered bodies must arrive within {@code bodyTimeout}. */
  BodyHandler<Part<T>> handler(Duration bodyTimeout) {
    return info -> {
      int status = info.statusCode();
      if (RedirectingTransport.isRedirect(status) || !readsBodies) {
        return BodySubscribers.replacing(new Part<>(null, CappedBytes.EMPTY));
      }
      if (status == 200) {
        return BodySubscribers.mapping(
            success.apply(bodyTimeout), body -> new Part<>(body, CappedBytes.EMPTY));
      }
      return BodySubscribers.mapping(
          new CappedBodySubscriber(ERROR_BODY_CAP, bodyTimeout), error -> new Part<>(null, error));
    };
  }
}
