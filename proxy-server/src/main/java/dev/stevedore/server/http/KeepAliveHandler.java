package dev.stevedore.server.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Keeps a connection open between exchanges unless the request or the response says otherwise:
 * after a request that asked to close (HTTP/1.0 without keep-alive, {@code Connection: close}), a
 * response that says {@code Connection: close}, or one whose end the client can only tell by the
 * connection closing (no length), the response goes out with {@code Connection: close} and the
 * connection closes once it is written. {@link PipeliningHandler} lets one exchange at a time
 * through, so one flag is the whole state. An {@link EncodedResponse} counts as a response with a
 * length that ends its exchange. One instance per connection.
 */
final class KeepAliveHandler extends ChannelDuplexHandler {
  private boolean persistent = true;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (message instanceof HttpRequest request && persistent) {
      persistent = HttpUtil.isKeepAlive(request);
    }
    ctx.fireChannelRead(message);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
    if (message instanceof HttpResponse response && !interim(response)) {
      if (!HttpUtil.isKeepAlive(response) || !hasLength(response)) {
        persistent = false;
      }
      if (!persistent) {
        HttpUtil.setKeepAlive(response, false);
      }
    }
    if (!persistent && (message instanceof LastHttpContent || message instanceof EncodedResponse)) {
      promise = promise.unvoid().addListener(ChannelFutureListener.CLOSE);
    }
    ctx.write(message, promise);
  }

  private static boolean interim(HttpResponse response) {
    return response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
  }

  private static boolean hasLength(HttpResponse response) {
    return HttpUtil.isContentLengthSet(response)
        || HttpUtil.isTransferEncodingChunked(response)
        || response.status().code() == HttpResponseStatus.NO_CONTENT.code();
  }
}
