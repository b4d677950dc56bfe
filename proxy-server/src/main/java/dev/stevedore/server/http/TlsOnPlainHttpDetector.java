package dev.stevedore.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;

/**
 * Notices a TLS handshake on the plain-HTTP port: a connection whose first bytes are a TLS record
 * header for a handshake ({@code 0x16}, then major version {@code 0x03}), as a client configured
 * for HTTPS sends (skopeo's or containerd's TLS probe of a mirror). The bytes still go to the HTTP
 * codec, which answers them with a 400 and closes as for any malformed request; this only marks the
 * connection so that the access log says {@code "tls-on-plain-http"} instead of Netty's {@code "GET
 * /bad-request HTTP/1.0"}, a line that sent operators looking for a broken client. It looks at the
 * first read only, then leaves the pipeline.
 */
final class TlsOnPlainHttpDetector extends ChannelInboundHandlerAdapter {
  private static final AttributeKey<Boolean> SAW_TLS =
      AttributeKey.valueOf("stevedore.tls-on-plain-http");

  /** The TLS record type of a handshake message, such as ClientHello. */
  private static final int HANDSHAKE = 0x16;

  /** The major version byte of every TLS (and SSL 3.0) record header. */
  private static final int TLS_MAJOR = 0x03;

  /** What the access log writes in place of the request line. */
  static final String LOG_LINE = "tls-on-plain-http";

  /** Whether {@code channel} opened with a TLS handshake. */
  static boolean sawTls(Channel channel) {
    return Boolean.TRUE.equals(channel.attr(SAW_TLS).get());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (message instanceof ByteBuf bytes && bytes.isReadable()) {
      int at = bytes.readerIndex();
      boolean handshake =
          bytes.getUnsignedByte(at) == HANDSHAKE
              && (bytes.readableBytes() < 2 || bytes.getUnsignedByte(at + 1) == TLS_MAJOR);
      if (handshake) {
        ctx.channel().attr(SAW_TLS).set(Boolean.TRUE);
      }
      ctx.pipeline().remove(this);
    }
    ctx.fireChannelRead(message);
  }
}
