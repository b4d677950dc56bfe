package dev.stevedore.server.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * Lets one request of a connection through at a time, as nginx does, so pipelined requests are
 * answered in the order they came (RFC 9112 §9.3.2) and each answer is whole before the next
 * starts. The codec may decode several requests from one read; those after the one in progress wait
 * here, and the connection stops reading until its response's last content has been written. Then
 * the next waiting request goes on, and reading resumes once none waits. Everything after this
 * handler (deadline, access log, endpoints) sees one exchange at a time. One instance per
 * connection; it sits right after the HTTP codec.
 */
final class PipeliningHandler extends ChannelDuplexHandler {
  /** Messages of requests after the one in progress, in the order they were decoded. */
  private final Queue<Object> waiting = new ArrayDeque<>();

  /** A request went on and its response's last content has not been sent yet. */
  private boolean responding;

  /** The last content of the response in progress was written; waiting for it to be sent. */
  private boolean lastWritten;

  /** The request that went on last has body content still to come. */
  private boolean receivingBody;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (waiting.isEmpty() && (receivingBody || !responding)) {
      forward(ctx, message);
      return;
    }
    waiting.add(message);
    ctx.channel().config().setAutoRead(false);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
    if (endsResponse(message) && responding && !lastWritten) {
      lastWritten = true;
      promise = promise.unvoid();
      promise.addListener(
          written -> {
            if (!written.isSuccess()) {
              ctx.close();
            } else if (waiting.isEmpty()) {
              responding = false; // the usual keep-alive case: nothing to hand on, no task
            } else {
              // forwarded from a task of its own, not from inside the write that just completed
              ctx.executor().execute(() -> next(ctx));
            }
          });
    }
    ctx.write(message, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    discardWaiting();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    discardWaiting();
  }

  private void forward(ChannelHandlerContext ctx, Object message) {
    if (message instanceof HttpRequest) {
      responding = true;
      lastWritten = false;
      receivingBody = !(message instanceof LastHttpContent);
    } else if (message instanceof LastHttpContent) {
      receivingBody = false;
    }
    ctx.fireChannelRead(message);
  }

  /** The response in progress was written: the waiting requests go on, one at a time. */
  private void next(ChannelHandlerContext ctx) {
    if (!ctx.channel().isActive()) {
      discardWaiting();
      return;
    }
    responding = false;
    boolean forwarded = false;
    while (!waiting.isEmpty() && (receivingBody || !responding)) {
      forward(ctx, waiting.poll());
      forwarded = true;
    }
    if (forwarded) {
      ctx.fireChannelReadComplete();
    }
    if (waiting.isEmpty()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  /** The last content of a final response (a {@code 1xx} answer's end is not: one follows). */
  private static boolean endsResponse(Object message) {
    if (message instanceof EncodedResponse) {
      return true;
    }
    return message instanceof LastHttpContent
        && !(message instanceof HttpResponse response
            && response.status().codeClass() == HttpStatusClass.INFORMATIONAL);
  }

  private void discardWaiting() {
    Object message;
    while ((message = waiting.poll()) != null) {
      ReferenceCountUtil.release(message);
    }
  }
}
