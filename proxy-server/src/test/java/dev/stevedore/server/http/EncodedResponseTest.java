package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EncodedResponseTest {
  private static final String BODY = "{\"schemaVersion\":2}";

  /** Built like {@code Responses.fullOfOwnValues}: header values unchecked, as ours are. */
  private static FullHttpResponse manifestAnswer() {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            Unpooled.copiedBuffer(BODY, StandardCharsets.UTF_8),
            DefaultHttpHeadersFactory.headersFactory().withValidation(false),
            DefaultHttpHeadersFactory.trailersFactory());
    response.headers().set(Responses.API_VERSION_HEADER, Responses.API_VERSION);
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "application/vnd.oci.image.manifest.v1+json");
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length());
    response.headers().set(Responses.DIGEST_HEADER, "sha256:" + "a".repeat(64));
    RequestContext.stampCommon(response);
    return response;
  }

  /** Netty's own encoder, for the same response: what the wire carried before. */
  private static byte[] nettyEncoded(FullHttpResponse response) {
    EmbeddedChannel channel = new EmbeddedChannel(new HttpResponseEncoder());
    channel.writeOutbound(response);
    ByteBuf wire = Unpooled.buffer();
    for (ByteBuf part; (part = channel.readOutbound()) != null; ) {
      wire.writeBytes(part);
      part.release();
    }
    channel.finishAndReleaseAll();
    byte[] bytes = new byte[wire.readableBytes()];
    wire.readBytes(bytes);
    return bytes;
  }

  @Test
  void wire_isByteForByteWhatNettysEncoderWrites() {
    EncodedResponse.Wire wire = EncodedResponse.encode(manifestAnswer());

    assertThat(wire.bytes()).isEqualTo(nettyEncoded(manifestAnswer()));
    assertThat(wire.status()).isEqualTo(200);
    assertThat(wire.bodyBytes()).isEqualTo(BODY.length());
  }

  @Test
  void eachResponse_isItsOwnBufferOverTheSameBytes() {
    EncodedResponse.Wire wire = EncodedResponse.encode(manifestAnswer());
    EncodedResponse first = wire.response();
    EncodedResponse second = wire.response();

    first.content().skipBytes(10);
    first.release();

    assertThat(second.content().readableBytes()).isEqualTo(wire.bytes().length);
    second.release();
  }

  @Test
  void aHeaderValueWithALineBreak_isRefused() {
    FullHttpResponse response = manifestAnswer();
    response.headers().set(Responses.DIGEST_HEADER, "x\r\nSet-Cookie: a=b");

    assertThatThrownBy(() -> EncodedResponse.encode(response))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(response.refCnt()).isZero();
  }

  @Test
  void aLengthOtherThanTheBodys_isRefused() {
    FullHttpResponse response = manifestAnswer();
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length() + 1);

    assertThatThrownBy(() -> EncodedResponse.encode(response))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aChunkedOrOldVersionResponse_isRefused() {
    FullHttpResponse chunked = manifestAnswer();
    HttpUtil.setTransferEncodingChunked(chunked, true);
    FullHttpResponse old = manifestAnswer().replace(Unpooled.EMPTY_BUFFER);
    old.setProtocolVersion(HttpVersion.HTTP_1_0);

    assertThatThrownBy(() -> EncodedResponse.encode(chunked))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EncodedResponse.encode(old))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
