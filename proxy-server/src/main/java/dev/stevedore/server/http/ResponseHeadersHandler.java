package dev.stevedore.server.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;

/**
 * The headers every response of a connection carries, whoever wrote it (endpoints, error answers,
 * the 400 for a malformed request): {@code X-Content-Type-Options: nosniff}, so no browser guesses
 * HTML or script from a manifest, blob or error body; and {@code OCI-Namespace: <ns>} on the
 * response of a request whose {@code ns} query parameter picked the upstream, as the distribution
 * spec's proxying section asks. The request handler records the namespace on the channel for the
 * request in progress.
 */
@ChannelHandler.Sharable
final class ResponseHeadersHandler extends ChannelOutboundHandlerAdapter {
  static final AttributeKey<String> NAMESPACE = AttributeKey.valueOf("stevedore.oci-namespace");
  static final String NAMESPACE_HEADER = "OCI-Namespace";
  static final AsciiString CONTENT_TYPE_OPTIONS = AsciiString.cached("X-Content-Type-Options");
  static final AsciiString NOSNIFF = AsciiString.cached("nosniff");

  @Override
  public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
    if (message instanceof HttpResponse response) {
      response.headers().set(CONTENT_TYPE_OPTIONS, NOSNIFF);
      String namespace = ctx.channel().attr(NAMESPACE).get();
      if (namespace != null) {
        response.headers().set(NAMESPACE_HEADER, namespace);
      }
    }
    ctx.write(message, promise);
  }
}
