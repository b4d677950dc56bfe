package dev.stevedore.core.upstream;

import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Applies one upstream's {@link UpstreamCaps} to the client's calls: each call waits for a
 * connection permit (when connections are capped) and gives it back when its exchange completes; a
 * blob download keeps it until its body is read to the end or closed, and its body is throttled by
 * the upstream's shared bandwidth limit. Without caps, calls pass straight through.
 */
final class UpstreamGate {

  private final Optional<ConnectionLimiter> limiter;
  private final Optional<BandwidthLimit> bandwidth;

  UpstreamGate(Optional<ConnectionLimiter> limiter, Optional<BandwidthLimit> bandwidth) {
    this.limiter = Objects.requireNonNull(limiter, "limiter");
    this.bandwidth = Objects.requireNonNull(bandwidth, "bandwidth");
  }

  /** The gate for {@code caps}, with the system clock and timer. */
  static UpstreamGate of(String upstream, UpstreamCaps caps) {
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(caps, "caps");
    Optional<ConnectionLimiter> limiter =
        caps.maxConnections().isPresent()
            ? Optional.of(
                new ConnectionLimiter(
                    upstream,
                    caps.maxConnections().getAsInt(),
                    caps.maxQueued(),
                    caps.queueTimeout()))
            : Optional.empty();
    Optional<BandwidthLimit> bandwidth =
        caps.bytesPerSecond().isPresent()
            ? Optional.of(new BandwidthLimit(caps.bytesPerSecond().getAsLong()))
            : Optional.empty();
    return new UpstreamGate(limiter, bandwidth);
  }

  /** Calls waiting for a connection permit now; 0 when connections are not capped. */
  int queued() {
    return limiter.map(ConnectionLimiter::queued).orElse(0);
  }

  /** Runs {@code exchange} holding a permit until the exchange completes, however it ends. */
  <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> exchange) {
    if (limiter.isEmpty()) {
      return exchange.get();
    }
    return limiter
        .get()
        .acquire()
        .thenCompose(
            permit -> started(exchange, permit).whenComplete((value, error) -> permit.release()));
  }

  /**
   * Runs an exchange whose 200 body streams (a blob download): the permit is released at once if
   * the exchange fails or brings no body, else the body keeps it until it is read to the end or
   * closed. The body is throttled by the upstream's shared bandwidth limit.
   */
  CompletableFuture<Reply<InputStream>> stream(
      Supplier<CompletableFuture<Reply<InputStream>>> exchange) {
    if (limiter.isEmpty()) {
      return exchange.get().thenApply(reply -> gated(reply, null));
    }
    return limiter
        .get()
        .acquire()
        .thenCompose(
            permit ->
                started(exchange, permit)
                    .whenComplete(
                        (reply, error) -> {
                          if (error != null || reply.body() == null) {
                            permit.release();
                          }
                        })
                    .thenApply(reply -> gated(reply, permit)));
  }

  private static <T> CompletableFuture<T> started(
      Supplier<CompletableFuture<T>> exchange, ConnectionLimiter.Permit permit) {
    try {
      return exchange.get();
    } catch (RuntimeException e) {
      permit.release();
      throw e;
    }
  }

  private Reply<InputStream> gated(Reply<InputStream> reply, ConnectionLimiter.Permit permit) {
    InputStream body = reply.body();
    if (body == null) {
      return reply;
    }
    if (permit != null) {
      body = new PermitHoldingInputStream(body, permit);
    }
    if (bandwidth.isPresent()) {
      body = bandwidth.get().throttle(body);
    }
    return body == reply.body()
        ? reply
        : new Reply<>(
            reply.status(),
            reply.headers(),
            reply.uri(),
            reply.redirects(),
            body,
            reply.errorBody());
  }
}
