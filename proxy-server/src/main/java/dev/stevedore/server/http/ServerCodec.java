package dev.stevedore.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * The HTTP/1.1 server codec: Netty's request decoder and response encoder, which, as Netty's {@code
 * HttpServerCodec} does, pairs each response with its request's method (a response to a {@code
 * HEAD} has no body, whatever its {@code Content-Length}), and which also writes an {@link
 * EncodedResponse} as it is: its bytes are already a whole response.
 */
final class ServerCodec
    extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {
  /** The methods of the requests decoded and not answered yet, oldest first. */
  private final Queue<HttpMethod> methods = new ArrayDeque<>();

  ServerCodec(int maxInitialLineLength, int maxHeaderSize, int maxChunkSize) {
    init(
        new RequestDecoder(maxInitialLineLength, maxHeaderSize, maxChunkSize),
        new ResponseEncoder());
  }

  private final class RequestDecoder extends HttpRequestDecoder {
    RequestDecoder(int maxInitialLineLength, int maxHeaderSize, int maxChunkSize) {
      super(maxInitialLineLength, maxHeaderSize, maxChunkSize);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
        throws Exception {
      int before = out.size();
      super.decode(ctx, buffer, out);
      for (int i = before; i < out.size(); i++) {
        if (out.get(i) instanceof HttpRequest request) {
          methods.add(request.method());
        }
      }
    }
  }

  private final class ResponseEncoder extends HttpResponseEncoder {
    @Override
    public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise)
        throws Exception {
      if (message instanceof EncodedResponse encoded) {
        methods.poll();
        ctx.write(encoded.content(), promise);
        return;
      }
      super.write(ctx, message, promise);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse response) {
      return HttpMethod.HEAD.equals(methods.poll()) || super.isContentAlwaysEmpty(response);
    }
  }
}
