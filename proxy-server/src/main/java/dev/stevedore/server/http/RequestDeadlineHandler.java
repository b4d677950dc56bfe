package dev.stevedore.server.http;

import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose next request's headers do not arrive in time, after it connects or
 * after its previous response: a slow-loris client cannot hold connections open by trickling header
 * bytes, and idle keep-alive connections are released. One instance per connection.
 *
 * <p>Like Netty's {@code IdleStateHandler}, it keeps one timer per connection and moves it lazily:
 * a request only clears a flag and a response only notes the time, so a busy keep-alive connection
 * neither schedules a task nor adds a listener for every request. The wait counts from when a
 * response was queued; a response still being sent when the timer fires (a big blob to a slow
 * client) makes the wait start again from its end.
 */
final class RequestDeadlineHandler extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(RequestDeadlineHandler.class);
  private static final long NOT_WAITING = Long.MIN_VALUE;

  private final long timeoutNanos;
  private final Ticker ticker;
  private long waitingSince = NOT_WAITING;
  private ChannelPromise lastResponse;
  private ScheduledFuture<?> check;

  RequestDeadlineHandler(Duration timeout) {
    this(timeout, Ticker.systemTicker());
  }

  RequestDeadlineHandler(Duration timeout, Ticker ticker) {
    this.timeoutNanos = timeout.toNanos();
    this.ticker = ticker;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    startWaiting(ctx);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (message instanceof HttpRequest) {
      waitingSince = NOT_WAITING;
    }
    ctx.fireChannelRead(message);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
    if (message instanceof LastHttpContent || message instanceof EncodedResponse) {
      promise = promise.unvoid();
      lastResponse = promise;
      startWaiting(ctx);
    }
    ctx.write(message, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    waitingSince = NOT_WAITING;
    lastResponse = null;
    if (check != null) {
      check.cancel(false);
      check = null;
    }
    ctx.fireChannelInactive();
  }

  private void startWaiting(ChannelHandlerContext ctx) {
    if (!ctx.channel().isActive()) {
      return;
    }
    waitingSince = ticker.read();
    if (check == null) {
      schedule(ctx, timeoutNanos);
    }
  }

  private void schedule(ChannelHandlerContext ctx, long delayNanos) {
    check = ctx.executor().schedule(() -> expire(ctx), delayNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The timer fired: close, wait the rest of a newer deadline, wait for a long response to end, or
   * rest while a request runs.
   */
  private void expire(ChannelHandlerContext ctx) {
    check = null;
    if (waitingSince == NOT_WAITING || !ctx.channel().isActive()) {
      return; // a request is in progress; its response starts the next wait
    }
    ChannelPromise sending = lastResponse;
    lastResponse = null;
    if (sending != null && !sending.isDone()) {
      waitingSince = NOT_WAITING;
      sending.addListener(sent -> startWaiting(ctx));
      return;
    }
    long left = timeoutNanos - (ticker.read() - waitingSince);
    if (left > 0) {
      schedule(ctx, left);
      return;
    }
    log.debug("closing {}: no request within the deadline", ctx.channel().remoteAddress());
    ctx.close();
  }
}
