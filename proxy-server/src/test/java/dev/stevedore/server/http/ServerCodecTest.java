package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ServerCodecTest {
  private final EmbeddedChannel channel = new EmbeddedChannel(new ServerCodec(4096, 8192, 8192));

  private void request(String method) {
    channel.writeInbound(
        Unpooled.copiedBuffer(
            method + " /v2/ HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));
    Object decoded;
    while ((decoded = channel.readInbound()) != null) {
      if (decoded instanceof HttpRequest request) {
        assertThat(request.method().name()).isEqualTo(method);
      }
      ReferenceCountUtil.release(decoded);
    }
  }

  private static FullHttpResponse answer(String body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
    return response;
  }

  private String written() {
    StringBuilder wire = new StringBuilder();
    for (ByteBuf part; (part = channel.readOutbound()) != null; ) {
      wire.append(part.toString(StandardCharsets.US_ASCII));
      part.release();
    }
    return wire.toString();
  }

  @Test
  void anEncodedResponse_goesOutAsItsBytes() {
    request("GET");
    EncodedResponse.Wire wire = EncodedResponse.encode(answer("hello"));

    channel.writeOutbound(wire.response());

    assertThat(written()).isEqualTo(new String(wire.bytes(), StandardCharsets.US_ASCII));
  }

  /**
   * Pipelined GET, GET, HEAD: the first answered encoded, the others built. The HEAD's answer still
   * loses its body, so the encoded answer kept the pairing of requests and responses.
   */
  @Test
  void responsesStayPairedWithTheirRequests_acrossAnEncodedOne() {
    request("GET");
    request("GET");
    request("HEAD");

    channel.writeOutbound(EncodedResponse.encode(answer("one")).response());
    channel.writeOutbound(answer("two"));
    channel.writeOutbound(answer("three"));

    String wire = written();
    assertThat(wire).contains("\r\n\r\none").contains("\r\n\r\ntwo").doesNotContain("three");
    assertThat(wire).endsWith("content-length: 5\r\n\r\n");
  }

  @Test
  void aHeadAnswer_hasNoBodyWhateverItsLength() {
    request("HEAD");

    channel.writeOutbound(answer("body"));

    assertThat(written()).isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n");
  }
}
