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
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes each request's {@link RequestContext} on the way out: stamps every response with the
 * headers all answers carry, counts the body bytes, and once the last is written records one
 * request metric and one access-log line (client, request line, status, body bytes, duration and
 * cache outcome). The request line is escaped ({@link Printable#quoted}): a client cannot end its
 * quotes or put a control character in the log. It also counts the requests in progress. One
 * instance per connection; the context it reads is the request's own because {@link
 * PipeliningHandler} lets one request at a time through.
 */
final class AccessLogHandler extends ChannelDuplexHandler {
  private static final Logger access = LoggerFactory.getLogger("stevedore.access");
  private static final DateTimeFormatter CLF_TIME =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);

  private final StevedoreMetrics metrics;
  private final InFlightRequests inFlight;

  /** A request came in and the last content of its response has not been written yet. */
  private boolean open;

  /** The request whose response is being written, once its head went out. */
  private RequestContext responding;

  AccessLogHandler(StevedoreMetrics metrics, InFlightRequests inFlight) {
    this.metrics = metrics;
    this.inFlight = inFlight;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (message instanceof HttpRequest && !open) {
      open = true;
      inFlight.started();
    }
    ctx.fireChannelRead(message);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
    if (message instanceof HttpResponse response) {
      RequestContext context = RequestContext.current(ctx.channel());
      if (context == null) {
        RequestContext.stampCommon(response);
      } else {
        context.respond(response);
      }
      responding = open ? context : null;
    } else if (message instanceof EncodedResponse encoded) {
      RequestContext context = RequestContext.current(ctx.channel());
      context.respondEncoded(encoded.status());
      responding = open ? context : null;
    }
    RequestContext current = responding;
    if (current != null) {
      current.sent(bodyBytes(message));
      if (message instanceof LastHttpContent || message instanceof EncodedResponse) {
        open = false;
        responding = null;
        promise = promise.unvoid();
        promise.addListener(written -> finish(ctx, current));
      }
    }
    ctx.write(message, promise);
  }

  private static long bodyBytes(Object message) {
    if (message instanceof EncodedResponse encoded) {
      return encoded.bodyBytes();
    }
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
    if (open) {
      open = false;
      RequestContext unfinished = responding;
      responding = null;
      if (unfinished != null) {
        // The connection closed before the end of a response that had started: a client that
        // hung up once it had its Content-Length bytes, while the end was not written yet (a
        // growing blob's sender waits for the download; a later write finds the channel closed
        // and never completes here). It was served: it gets its line and its metric all the same.
        finish(ctx, unfinished);
      } else {
        inFlight.ended();
      }
    }
    ctx.fireChannelInactive();
  }

  private void finish(ChannelHandlerContext ctx, RequestContext done) {
    inFlight.ended();
    done.finished();
    metrics.request(done);
    if (access.isInfoEnabled()) {
      HttpRequest request = done.request();
      access.info(
          "{} - - [{}] \"{}\" {} {} {}ms {}",
          ClientAddress.of(ctx.channel()),
          CLF_TIME.format(Instant.ofEpochMilli(done.startMillis()).atZone(ZoneId.systemDefault())),
          TlsOnPlainHttpDetector.sawTls(ctx.channel())
              ? TlsOnPlainHttpDetector.LOG_LINE
              : Printable.quoted(request.method().name())
                  + ' '
                  + Printable.quoted(request.uri())
                  + ' '
                  + request.protocolVersion(),
          done.status(),
          done.bodyBytes(),
          done.durationNanos() / 1_000_000,
          done.outcome().map(CacheOutcome::tag).orElse("-"));
    }
  }
}
