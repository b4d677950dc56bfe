package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class ResponseHeadersHandlerTest {
  private final EmbeddedChannel channel = new EmbeddedChannel(new ResponseHeadersHandler());

  @Test
  void everyResponse_carriesNosniff() {
    channel.writeOutbound(Responses.json(HttpResponseStatus.NOT_FOUND, "{}", false));
    channel.writeOutbound(
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST));

    FullHttpResponse error = channel.readOutbound();
    HttpResponse bare = channel.readOutbound();
    assertThat(error.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(bare.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(error.headers().contains("OCI-Namespace")).isFalse();
    error.release();
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void namespaceOfTheRequest_isAnswered() {
    channel.attr(ResponseHeadersHandler.NAMESPACE).set("ghcr.io");

    channel.writeOutbound(Responses.json(HttpResponseStatus.OK, "{}", false));

    FullHttpResponse response = channel.readOutbound();
    assertThat(response.headers().get("OCI-Namespace")).isEqualTo("ghcr.io");
    assertThat(response.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
    response.release();
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }
}
