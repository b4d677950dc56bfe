package dev.stevedore.server.http;

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
 */
final class RequestDeadlineHandler extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(RequestDeadlineHandler.class);

  private final long timeoutNanos;
  private ScheduledFuture<?> deadline;

  RequestDeadlineHandler(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    arm(ctx);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (message instanceof HttpRequest) {
      disarm();
    }
    ctx.fireChannelRead(message);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
    if (message instanceof LastHttpContent) {
      promise = promise.unvoid();
      promise.addListener(written -> arm(ctx));
    }
    ctx.write(message, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    disarm();
    ctx.fireChannelInactive();
  }

  private void arm(ChannelHandlerContext ctx) {
    disarm();
    deadline =
        ctx.executor()
            .schedule(
                () -> {
                  log.debug(
                      "closing {}: no request within the deadline", ctx.channel().remoteAddress());
                  ctx.close();
                },
                timeoutNanos,
                TimeUnit.NANOSECONDS);
  }

  private void disarm() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }
}
