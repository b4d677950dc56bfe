package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

class KeepAliveHandlerTest {
  private final EmbeddedChannel channel = new EmbeddedChannel(new KeepAliveHandler());

  private void request(HttpVersion version, String... headers) {
    DefaultFullHttpRequest request = new DefaultFullHttpRequest(version, HttpMethod.GET, "/v2/");
    for (int i = 0; i < headers.length; i += 2) {
      request.headers().add(headers[i], headers[i + 1]);
    }
    channel.writeInbound(request);
    ReferenceCountUtil.release(channel.readInbound());
  }

  private static FullHttpResponse answer() {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    return response;
  }

  private HttpResponse respond(Object response) {
    channel.writeOutbound(response);
    Object written = channel.readOutbound();
    ReferenceCountUtil.release(written);
    return written instanceof HttpResponse head ? head : null;
  }

  @Test
  void aKeepAliveExchange_leavesTheConnectionOpen() {
    request(HttpVersion.HTTP_1_1);
    HttpResponse written = respond(answer());
    request(HttpVersion.HTTP_1_1);
    respond(EncodedResponse.encode(answer()).response());

    assertThat(written.headers().contains(HttpHeaderNames.CONNECTION)).isFalse();
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void aRequestThatAsksToClose_getsConnectionClose_andTheConnectionCloses() {
    request(HttpVersion.HTTP_1_1, "Connection", "close");
    HttpResponse written = respond(answer());

    assertThat(written.headers().get(HttpHeaderNames.CONNECTION))
        .isEqualTo(HttpHeaderValues.CLOSE.toString());
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void anHttp10RequestWithoutKeepAlive_isClosedAfterItsAnswer() {
    request(HttpVersion.HTTP_1_0);
    respond(answer());

    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aStreamedResponseWithoutLength_closesTheConnectionAtItsEnd() {
    request(HttpVersion.HTTP_1_1);
    HttpResponse head =
        respond(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    assertThat(channel.isOpen()).isTrue();
    respond(LastHttpContent.EMPTY_LAST_CONTENT);

    assertThat(head.headers().get(HttpHeaderNames.CONNECTION))
        .isEqualTo(HttpHeaderValues.CLOSE.toString());
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aResponseSayingClose_closesTheConnection() {
    request(HttpVersion.HTTP_1_1);
    FullHttpResponse closing = answer();
    closing.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    respond(closing);

    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void anEncodedAnswerToARequestThatAskedToClose_closesTheConnection() {
    request(HttpVersion.HTTP_1_1, "Connection", "close");
    respond(EncodedResponse.encode(answer()).response());

    assertThat(channel.isOpen()).isFalse();
  }
}
