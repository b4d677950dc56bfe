package dev.stevedore.server.http;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;

/** Test support: an {@link EncodedResponse} read back as a client would, by Netty's decoder. */
final class EncodedResponses {
  private EncodedResponses() {}

  /** The response the encoded bytes say; the encoded response is released. */
  static FullHttpResponse decode(EncodedResponse encoded) {
    EmbeddedChannel client =
        new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 24));
    try {
      client.writeInbound(encoded.content().retain());
      FullHttpResponse response = client.readInbound();
      if (response == null || client.inboundMessages().size() > 0) {
        throw new AssertionError("the encoded bytes are not exactly one whole response");
      }
      return response;
    } finally {
      encoded.release();
      client.finishAndReleaseAll();
    }
  }
}
