package dev.stevedore.server.http;

import dev.stevedore.server.metrics.StevedoreMetrics;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
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
  private final StevedoreMetrics metrics;
  private final InFlightRequests inFlight;
  private final ChannelGroup connections;

  RegistryChannelInitializer(
      RegistryRequestHandler handler,
      StevedoreMetrics metrics,
      InFlightRequests inFlight,
      ChannelGroup connections) {
    this.handler = handler;
    this.metrics = metrics;
    this.inFlight = inFlight;
    this.connections = connections;
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    connections.add(channel);
    channel
        .pipeline()
        .addLast("codec", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CHUNK_SIZE))
        .addLast("access-log", new AccessLogHandler(metrics, inFlight))
        .addLast("keep-alive", new HttpServerKeepAliveHandler())
        .addLast("oci-namespace", NAMESPACE_HEADER)
        .addLast("registry", handler);
  }
}
