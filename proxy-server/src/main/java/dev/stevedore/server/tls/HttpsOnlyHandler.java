package dev.stevedore.server.tls;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * The first handler of a TLS connection. It looks at the first bytes: a TLS handshake puts the
 * {@link io.netty.handler.ssl.SslHandler} in its place; anything else (a client configured with
 * {@code http://}) gets one plain-HTTP {@code 400} saying to use {@code https://}, and the
 * connection closes, instead of a reset the user cannot explain.
 */
public final class HttpsOnlyHandler extends OptionalSslHandler {
  private static final byte[] PLAIN_HTTP_REFUSAL = refusal();

  public HttpsOnlyHandler(SslContext context) {
    super(context);
  }

  @Override
  protected ChannelHandler newNonSslHandler(ChannelHandlerContext ctx) {
    return new PlainHttpRefusal();
  }

  private static byte[] refusal() {
    String body =
        "{\"errors\":[{\"code\":\"UNSUPPORTED\",\"message\":\"this registry is served over TLS:"
            + " use https://\"}]}\n";
    return ("HTTP/1.1 400 Bad Request\r\n"
            + "Content-Type: application/json\r\n"
            + "X-Content-Type-Options: nosniff\r\n"
            + "Content-Length: "
            + body.length()
            + "\r\n"
            + "Connection: close\r\n"
            + "\r\n"
            + body)
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** Answers the first read with the refusal, drops the rest, and closes. */
  private static final class PlainHttpRefusal extends ChannelInboundHandlerAdapter {
    private boolean answered;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
      if (!answered) {
        answered = true;
        ctx.writeAndFlush(Unpooled.wrappedBuffer(PLAIN_HTTP_REFUSAL))
            .addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
