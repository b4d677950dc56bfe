package dev.stevedore.server.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AttributeKey;

/**
 * Adds {@code OCI-Namespace: <ns>} to the response of a request whose {@code ns} query parameter
 * picked the upstream, as the distribution spec's proxying section asks. The request handler
 * records the namespace on the channel for the request in progress.
 */
@ChannelHandler.Sharable
final class OciNamespaceHandler extends ChannelOutboundHandlerAdapter {
  static final AttributeKey<String> NAMESPACE = AttributeKey.valueOf("stevedore.oci-namespace");
  static final String HEADER = "OCI-Namespace";

  @Override
  public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
    if (message instanceof HttpResponse response) {
      String namespace = ctx.channel().attr(NAMESPACE).get();
      if (namespace != null) {
        response.headers().set(HEADER, namespace);
      }
    }
    ctx.write(message, promise);
  }
}
