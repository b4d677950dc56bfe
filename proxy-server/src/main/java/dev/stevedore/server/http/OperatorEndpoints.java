package dev.stevedore.server.http;

import dev.stevedore.server.HealthCheck;
import dev.stevedore.server.metrics.StevedoreMetrics;
import dev.stevedore.server.setup.MirrorAddress;
import dev.stevedore.server.setup.NodeSetup;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;

/**
 * The operators' endpoints: {@code /metrics}, {@code /healthz}, {@code /readyz} and the status
 * page.
 */
final class OperatorEndpoints {
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String HTML = "text/html; charset=utf-8";
  static final AsciiString CONTENT_SECURITY_POLICY = AsciiString.cached("Content-Security-Policy");

  /**
   * The status page is one HTML document with an inline {@code <style>} and inline SVG: no script,
   * no other resource, no form, no frame; it may not be framed either.
   */
  static final String STATUS_PAGE_POLICY =
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none';"
          + " form-action 'none'; frame-ancestors 'none'";

  private final StevedoreMetrics metrics;
  private final HealthCheck health;
  private final Function<Optional<MirrorAddress>, String> statusPage;
  private final NodeSetup setup;

  OperatorEndpoints(
      StevedoreMetrics metrics,
      HealthCheck health,
      Function<Optional<MirrorAddress>, String> statusPage,
      NodeSetup setup) {
    this.metrics = metrics;
    this.health = health;
    this.statusPage = statusPage;
    this.setup = setup;
  }

  void metrics(ChannelHandlerContext ctx, boolean head) {
    send(ctx, HttpResponseStatus.OK, PROMETHEUS_TEXT, metrics.scrape(), head);
  }

  /** Liveness: the event loop answers. */
  void health(ChannelHandlerContext ctx, boolean head) {
    send(ctx, HttpResponseStatus.OK, TEXT, "ok\n", head);
  }

  /** Readiness: storage writable with room left, and not shutting down; else 503 with why. */
  void ready(ChannelHandlerContext ctx, boolean head) {
    health
        .notReadyBecause()
        .thenAccept(
            problem ->
                send(
                    ctx,
                    problem.isPresent()
                        ? HttpResponseStatus.SERVICE_UNAVAILABLE
                        : HttpResponseStatus.OK,
                    TEXT,
                    problem.map(why -> "not ready: " + why + "\n").orElse("ready\n"),
                    head));
  }

  /**
   * The status page: its own inline style and SVG charts, and nothing else may load or run. Its
   * setup one-liners name the address the page was asked under (or {@code --advertise}).
   */
  void statusPage(ChannelHandlerContext ctx, HttpRequest request, boolean head) {
    Optional<MirrorAddress> address =
        setup.address(Optional.ofNullable(request.headers().get(HttpHeaderNames.HOST)));
    FullHttpResponse page =
        Responses.full(
            HttpResponseStatus.OK,
            HTML,
            statusPage.apply(address).getBytes(StandardCharsets.UTF_8),
            head);
    page.headers().set(CONTENT_SECURITY_POLICY, STATUS_PAGE_POLICY);
    Responses.send(ctx, page);
  }

  private static void send(
      ChannelHandlerContext ctx,
      HttpResponseStatus status,
      String type,
      String body,
      boolean head) {
    Responses.send(ctx, Responses.full(status, type, body.getBytes(StandardCharsets.UTF_8), head));
  }
}
