package dev.stevedore.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class UpstreamGateTest {

  private final ConnectionLimiterTest.FakeTimer timer = new ConnectionLimiterTest.FakeTimer();
  private final ConnectionLimiter limiter =
      new ConnectionLimiter("docker.io", 1, 10, Duration.ofSeconds(10), timer, Runnable::run);
  private final UpstreamGate gate = new UpstreamGate(Optional.of(limiter), Optional.empty());

  private static Reply<InputStream> reply(int status, InputStream body) {
    return new Reply<>(
        status,
        HttpHeaders.of(Map.of(), (name, value) -> true),
        URI.create("http://127.0.0.1/v2/"),
        0,
        body,
        CappedBytes.EMPTY);
  }

  @Test
  void call_releasesWhenTheExchangeSucceedsOrFails() {
    CompletableFuture<String> pending = new CompletableFuture<>();
    CompletableFuture<String> call = gate.call(() -> pending);
    assertThat(limiter.inFlight()).isEqualTo(1);

    pending.complete("ok");
    assertThat(call.join()).isEqualTo("ok");
    assertThat(limiter.inFlight()).isZero();

    CompletableFuture<String> failing =
        gate.call(() -> CompletableFuture.failedFuture(new IOException("x")));
    assertThat(failing).isCompletedExceptionally();
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void call_thatThrows_releases() {
    CompletableFuture<String> call =
        gate.call(
            () -> {
              throw new IllegalStateException("boom");
            });

    assertThat(call).isCompletedExceptionally();
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void call_waitsForItsTurn() {
    CompletableFuture<String> first = new CompletableFuture<>();
    AtomicBoolean secondStarted = new AtomicBoolean();
    gate.call(() -> first);
    CompletableFuture<String> second =
        gate.call(
            () -> {
              secondStarted.set(true);
              return CompletableFuture.completedFuture("second");
            });

    assertThat(secondStarted).isFalse();
    first.complete("first");

    assertThat(second.join()).isEqualTo("second");
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void stream_bodyKeepsThePermitUntilClosed() throws IOException {
    Reply<InputStream> reply =
        gate.stream(() -> CompletableFuture.completedFuture(reply(200, stream(10)))).join();
    assertThat(limiter.inFlight()).isEqualTo(1);

    reply.body().close();
    assertThat(limiter.inFlight()).isZero();
    reply.body().close();
    assertThat(limiter.inFlight()).as("closing twice releases once").isZero();
    assertThat(limiter.acquire()).isCompleted();
  }

  @Test
  void stream_bodyReleasesThePermitAtItsEnd() throws IOException {
    Reply<InputStream> reply =
        gate.stream(() -> CompletableFuture.completedFuture(reply(200, stream(10)))).join();

    assertThat(reply.body().readAllBytes()).hasSize(10);
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void stream_withoutBody_releasesAtOnce() {
    gate.stream(() -> CompletableFuture.completedFuture(reply(404, null))).join();

    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void stream_failedExchange_releases() {
    CompletableFuture<Reply<InputStream>> failed =
        gate.stream(() -> CompletableFuture.failedFuture(new IOException("reset")));

    assertThatThrownBy(failed::join).hasRootCauseInstanceOf(IOException.class);
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void stream_withBandwidthOnly_throttlesWithoutALimiter() throws IOException {
    UpstreamGate throttled =
        new UpstreamGate(Optional.empty(), Optional.of(new BandwidthLimit(1L << 30)));
    InputStream raw = stream(10);

    Reply<InputStream> reply =
        throttled.stream(() -> CompletableFuture.completedFuture(reply(200, raw))).join();

    assertThat(reply.body()).isNotSameAs(raw);
    assertThat(reply.body().readAllBytes()).hasSize(10);
  }

  @Test
  void noCaps_passesStraightThrough() {
    UpstreamGate open = UpstreamGate.of("docker.io", UpstreamCaps.NONE);
    InputStream raw = stream(1);
    Reply<InputStream> original = reply(200, raw);

    assertThat(open.stream(() -> CompletableFuture.completedFuture(original)).join())
        .isSameAs(original);
  }

  private static InputStream stream(int size) {
    return new ByteArrayInputStream(new byte[size]);
  }
}
