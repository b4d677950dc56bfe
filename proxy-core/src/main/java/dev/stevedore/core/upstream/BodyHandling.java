package dev.stevedore.core.upstream;

import java.io.InputStream;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How an endpoint's responses are read, and so how its exchange passes the upstream's {@link
 * UpstreamGate}: a body read whole holds its connection permit until the exchange completes ({@link
 * UpstreamGate#call}); a streamed body holds it until the stream is read or closed ({@link
 * UpstreamGate#stream}). The {@link BodyPlan} is made anew for each exchange, as it leases buffers.
 */
record BodyHandling<B>(Function<BufferBudget, BodyPlan<B>> plan, Admission<B> admission) {

  /** How one exchange passes the gate. */
  interface Admission<B> {
    CompletableFuture<Reply<B>> admit(
        UpstreamGate gate, Supplier<CompletableFuture<Reply<B>>> exchange);
  }

  BodyHandling {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(admission, "admission");
  }

  /**
   * Runs {@code exchange} with a fresh {@link BodyPlan} and gives back what the plan's bodies hold
   * in {@code budget} when it completes, however it ends.
   */
  <R> CompletableFuture<R> withPlan(
      BufferBudget budget, Function<BodyPlan<B>, CompletableFuture<R>> exchange) {
    BodyPlan<B> fresh = plan.apply(budget);
    return exchange.apply(fresh).whenComplete((result, failure) -> fresh.release());
  }

  /** A 200 body read into memory up to {@code cap} bytes. */
  static BodyHandling<CappedBytes> buffered(int cap) {
    return new BodyHandling<>(budget -> BodyPlan.buffered(cap, budget), UpstreamGate::call);
  }

  /** A 200 body handed over as a stream, throttled and holding its permit until closed. */
  static BodyHandling<InputStream> streamed() {
    return new BodyHandling<>(BodyPlan::streamed, UpstreamGate::stream);
  }

  /** No body is kept (a HEAD's). */
  static BodyHandling<Void> headersOnly() {
    return new BodyHandling<>(BodyPlan::headersOnly, UpstreamGate::call);
  }

  /** No body is read at all, whatever the status ({@link BodyPlan#headersThenHangUp}). */
  static BodyHandling<Void> headersThenHangUp() {
    return new BodyHandling<>(BodyPlan::headersThenHangUp, UpstreamGate::call);
  }
}
