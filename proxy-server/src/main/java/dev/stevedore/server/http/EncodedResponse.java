package dev.stevedore.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.util.Map;

/**
 * A whole response already in wire form: status line, headers, the blank line and the body in one
 * buffer. For answers that repeat byte for byte (a hot manifest by digest) it is built once and
 * written as one buffer per request, without building, stamping or encoding headers each time. The
 * handlers on the way out take it as a response head and its last content at once: the access log
 * reads {@link #status()} and {@link #bodyBytes()}, {@link PipeliningHandler} and {@link
 * RequestDeadlineHandler} see the exchange end, and {@link ServerCodec} hands its bytes to the
 * socket. It never says {@code Connection: close}: {@link KeepAliveHandler} closes after it when
 * the request asked to.
 */
final class EncodedResponse extends DefaultByteBufHolder {
  private final int status;
  private final int bodyBytes;

  private EncodedResponse(ByteBuf wire, int status, int bodyBytes) {
    super(wire);
    this.status = status;
    this.bodyBytes = bodyBytes;
  }

  int status() {
    return status;
  }

  int bodyBytes() {
    return bodyBytes;
  }

  /** The wire form of a complete HTTP/1.1 response, once; the response is released. */
  static Wire encode(FullHttpResponse response) {
    try {
      if (response.protocolVersion() != HttpVersion.HTTP_1_1
          || HttpUtil.isTransferEncodingChunked(response)
          || !response.trailingHeaders().isEmpty()) {
        throw new IllegalArgumentException("only a whole HTTP/1.1 response with a length");
      }
      ByteBuf content = response.content();
      ByteArrayOutputStream wire = new ByteArrayOutputStream(512 + content.readableBytes());
      ascii(wire, "HTTP/1.1 " + response.status().code() + " " + response.status().reasonPhrase());
      var headers = response.headers().iteratorCharSequence();
      while (headers.hasNext()) {
        Map.Entry<CharSequence, CharSequence> header = headers.next();
        ascii(wire, header.getKey() + ": " + header.getValue());
      }
      wire.write('\r');
      wire.write('\n');
      int bodyBytes = content.readableBytes();
      if (HttpUtil.getContentLength(response, -1L) != bodyBytes) {
        throw new IllegalArgumentException("Content-Length is not the body's length");
      }
      wire.writeBytes(ByteBufUtil.getBytes(content));
      return new Wire(wire.toByteArray(), response.status().code(), bodyBytes);
    } finally {
      response.release();
    }
  }

  private static void ascii(ByteArrayOutputStream out, String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new IllegalArgumentException("not a header's printable ASCII");
      }
      out.write(c);
    }
    out.write('\r');
    out.write('\n');
  }

  /** A response's wire bytes, to be written again and again. */
  record Wire(byte[] bytes, int status, int bodyBytes) {
    EncodedResponse response() {
      return new EncodedResponse(Unpooled.wrappedBuffer(bytes), status, bodyBytes);
    }
  }
}
