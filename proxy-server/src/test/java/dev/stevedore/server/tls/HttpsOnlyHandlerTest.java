package dev.stevedore.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpsOnlyHandlerTest {
  private static final KeyPair KEYS = TestCertificates.ec();
  private static final ServerIdentity IDENTITY =
      new ServerIdentity(KEYS.getPrivate(), List.of(TestCertificates.selfSigned("server", KEYS)));

  @Test
  void plainHttpRequest_answered400UseHttps_thenClosed() throws Exception {
    EmbeddedChannel channel = new EmbeddedChannel(new HttpsOnlyHandler(IDENTITY.sslContext()));

    channel.writeInbound(
        Unpooled.copiedBuffer("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));

    ByteBuf answer = channel.readOutbound();
    String text = answer.toString(StandardCharsets.US_ASCII);
    answer.release();
    assertThat(text).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("use https://");
    int declared = Integer.parseInt(text.replaceAll("(?s).*Content-Length: (\\d+)\r\n.*", "$1"));
    assertThat(text.substring(text.indexOf("\r\n\r\n") + 4)).hasSize(declared);
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void tlsClientHello_handedToAnSslHandler() throws Exception {
    EmbeddedChannel server = new EmbeddedChannel(new HttpsOnlyHandler(IDENTITY.sslContext()));
    SslContext clientContext =
        SslContextBuilder.forClient().trustManager(IDENTITY.certificate()).build();
    EmbeddedChannel client = new EmbeddedChannel(clientContext.newHandler(server.alloc()));

    ByteBuf hello = client.readOutbound();
    server.writeInbound(hello);

    assertThat(server.pipeline().get(SslHandler.class)).isNotNull();
    ByteBuf serverHello = server.readOutbound();
    assertThat(serverHello).isNotNull();
    serverHello.release();
    client.finishAndReleaseAll();
    server.finishAndReleaseAll();
  }
}
