package dev.stevedore.server.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

/**
 * The pipeline of one client connection: HTTP/1.1 codec, keep-alive, the {@code OCI-Namespace}
 * header, the registry handler.
 */
final class RegistryChannelInitializer extends ChannelInitializer<SocketChannel> {
  private static final int MAX_INITIAL_LINE = 8192;
  private static final int MAX_HEADER_SIZE = 16384;
  private static final int MAX_CHUNK_SIZE = 8192;

  private static final OciNamespaceHandler NAMESPACE_HEADER = new OciNamespaceHandler();

  private final RegistryRequestHandler handler;

  RegistryChannelInitializer(RegistryRequestHandler handler) {
    this.handler = handler;
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    channel
        .pipeline()
        .addLast("codec", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CHUNK_SIZE))
        .addLast("keep-alive", new HttpServerKeepAliveHandler())
        .addLast("oci-namespace", NAMESPACE_HEADER)
        .addLast("registry", handler);
  }
}
