package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.AccessLogCapture;
import dev.stevedore.server.metrics.StevedoreMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

class TlsOnPlainHttpDetectorTest {

  /** The start of a TLS 1.2 ClientHello record: handshake, version 3.1, length, ClientHello. */
  private static final byte[] CLIENT_HELLO = {
    0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03, 0x11, 0x22, 0x33, 0x44
  };

  /** Answers every request as the router does a malformed one: a 400, then close. */
  private static final class Answering extends SimpleChannelInboundHandler<HttpObject> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
      if (message instanceof HttpRequest request) {
        RequestContext.open(ctx.channel(), request);
        ctx.writeAndFlush(Responses.json(HttpResponseStatus.BAD_REQUEST, "{}", false))
            .addListener(ChannelFutureListener.CLOSE);
      }
    }
  }

  /** The first flight of the JDK's TLS client: a whole ClientHello, as a client probing sends. */
  private static byte[] realClientHello() throws Exception {
    SSLEngine engine = SSLContext.getDefault().createSSLEngine("localhost", 443);
    engine.setUseClientMode(true);
    ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    engine.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    byte[] hello = new byte[out.remaining()];
    out.get(hello);
    return hello;
  }

  private static EmbeddedChannel channel() {
    return new EmbeddedChannel(
        new TlsOnPlainHttpDetector(),
        new HttpServerCodec(),
        new AccessLogHandler(new StevedoreMetrics(), new InFlightRequests()),
        new Answering());
  }

  @Test
  void clientHello_isMarked_andStillReachesTheCodec_andLeavesThePipeline() {
    EmbeddedChannel channel = new EmbeddedChannel(new TlsOnPlainHttpDetector());

    channel.writeInbound(Unpooled.wrappedBuffer(CLIENT_HELLO));

    assertThat(TlsOnPlainHttpDetector.sawTls(channel)).isTrue();
    ByteBuf passed = channel.readInbound();
    assertThat(passed.readableBytes()).isEqualTo(CLIENT_HELLO.length);
    passed.release();
    assertThat(channel.pipeline().get(TlsOnPlainHttpDetector.class)).isNull();
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void plainHttp_isNotMarked() {
    EmbeddedChannel channel = new EmbeddedChannel(new TlsOnPlainHttpDetector());

    channel.writeInbound(Unpooled.copiedBuffer("GET /v2/ HTTP/1.1\r\n", StandardCharsets.US_ASCII));

    assertThat(TlsOnPlainHttpDetector.sawTls(channel)).isFalse();
    assertThat(channel.pipeline().get(TlsOnPlainHttpDetector.class)).isNull();
    channel.finishAndReleaseAll();
  }

  @Test
  void clientHello_isLoggedAsTlsOnPlainHttp_once_andAnswered400() throws Exception {
    try (AccessLogCapture log = new AccessLogCapture()) {
      EmbeddedChannel channel = channel();

      channel.writeInbound(Unpooled.wrappedBuffer(realClientHello()));

      ByteBuf answer = channel.readOutbound();
      assertThat(answer.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 400 ");
      answer.release();
      assertThat(channel.isOpen()).isFalse();
      assertThat(log.lines()).singleElement().asString().contains("\"tls-on-plain-http\" 400 ");
      channel.finishAndReleaseAll();
    }
  }

  @Test
  void plainRequest_isLoggedWithItsRequestLine() {
    try (AccessLogCapture log = new AccessLogCapture()) {
      EmbeddedChannel channel = channel();

      channel.writeInbound(
          Unpooled.copiedBuffer("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));

      assertThat(log.lines()).singleElement().asString().contains("\"GET /v2/ HTTP/1.1\" 400 ");
      channel.finishAndReleaseAll();
    }
  }
}
