package dev.stevedore.server.http;

import dev.stevedore.core.cache.CacheOutcome;
import dev.stevedore.server.metrics.StevedoreMetrics;
import dev.stevedore.storage.text.Printable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One access-log line and one request metric per answered request: client, request line, status,
 * body bytes, duration and cache outcome. The request line is escaped ({@link Printable#quoted}): a
 * client cannot end its quotes or put a control character in the log. The router says the route
 * through {@link #ROUTE} and endpoints the outcome through {@link #OUTCOME}; this handler sees
 * everything else on the wire. One instance per connection; it pairs each request with its own
 * response because {@link PipeliningHandler} lets one request at a time through.
 */
final class AccessLogHandler extends ChannelDuplexHandler {
  /** How the cache answered the request in progress, set by the endpoint that knows. */
  static final AttributeKey<CacheOutcome> OUTCOME = AttributeKey.valueOf("stevedore.outcome");

  /** Where the request in progress was routed; unset for a request whose URI did not parse. */
  static final AttributeKey<Route.Kind> ROUTE = AttributeKey.valueOf("stevedore.route");

  private static final String INVALID_ROUTE = "invalid";

  private static final Logger access = LoggerFactory.getLogger("stevedore.access");
  private static final DateTimeFormatter CLF_TIME =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);

  private final StevedoreMetrics metrics;
  private final InFlightRequests inFlight;
  private Exchange exchange;

  AccessLogHandler(StevedoreMetrics metrics, InFlightRequests inFlight) {
    this.metrics = metrics;
    this.inFlight = inFlight;
  }

  /** The request in progress on this connection. */
  private static final class Exchange {
    final long startNanos = System.nanoTime();
    final long startMillis = System.currentTimeMillis();
    final HttpRequest request;
    String route = INVALID_ROUTE;
    int status;
    long bytes;
    Optional<CacheOutcome> outcome = Optional.empty();

    Exchange(HttpRequest request) {
      this.request = request;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (message instanceof HttpRequest request) {
      if (exchange == null) {
        inFlight.started();
      }
      exchange = new Exchange(request);
      ctx.channel().attr(OUTCOME).set(null);
      ctx.channel().attr(ROUTE).set(null);
    }
    ctx.fireChannelRead(message);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
    Exchange current = exchange;
    if (current != null) {
      if (message instanceof HttpResponse response) {
        current.status = response.status().code();
      }
      current.bytes += bodyBytes(message);
      if (message instanceof LastHttpContent) {
        current.outcome = Optional.ofNullable(ctx.channel().attr(OUTCOME).get());
        Route.Kind route = ctx.channel().attr(ROUTE).get();
        current.route = route == null ? INVALID_ROUTE : route.tag();
        exchange = null;
        promise = promise.unvoid();
        promise.addListener(written -> finish(ctx, current));
      }
    }
    ctx.write(message, promise);
  }

  private static long bodyBytes(Object message) {
    if (message instanceof ByteBufHolder holder) {
      return holder.content().readableBytes();
    }
    if (message instanceof ByteBuf buffer) {
      return buffer.readableBytes();
    }
    if (message instanceof FileRegion region) {
      return region.count();
    }
    return 0;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange = null;
      inFlight.ended();
    }
    ctx.fireChannelInactive();
  }

  private void finish(ChannelHandlerContext ctx, Exchange done) {
    inFlight.ended();
    long nanos = System.nanoTime() - done.startNanos;
    Optional<CacheOutcome> outcome = done.outcome;
    HttpRequest request = done.request;
    metrics.request(done.route, request.method().name(), done.status, outcome, nanos);
    metrics.bytesServed(outcome, done.bytes);
    if (access.isInfoEnabled()) {
      access.info(
          "{} - - [{}] \"{} {} {}\" {} {} {}ms {}",
          ClientAddress.of(ctx.channel()),
          CLF_TIME.format(Instant.ofEpochMilli(done.startMillis).atZone(ZoneId.systemDefault())),
          Printable.quoted(request.method().name()),
          Printable.quoted(request.uri()),
          request.protocolVersion(),
          done.status,
          done.bytes,
          nanos / 1_000_000,
          outcome.map(CacheOutcome::tag).orElse("-"));
    }
  }
}
