package dev.stevedore.server.http;

import dev.stevedore.server.metrics.StevedoreMetrics;
import dev.stevedore.server.tls.HttpsOnlyHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one client connection: the per-client connection cap, TLS (when configured; a
 * plain-HTTP client gets a 400; when not, a TLS client is noted for the access log), HTTP/1.1
 * codec, one request at a time, the request deadline, the access log (which also stamps the headers
 * every response carries), keep-alive, the registry handler.
 */
final class RegistryChannelInitializer extends ChannelInitializer<SocketChannel> {
  private static final int MAX_INITIAL_LINE = 8192;
  private static final int MAX_HEADER_SIZE = 16384;
  private static final int MAX_CHUNK_SIZE = 8192;

  /** Time a client has to send its request headers, after connecting or after a response. */
  static final Duration REQUEST_DEADLINE = Duration.ofSeconds(60);

  /** A connection with no bytes moving either way for this long is dropped. */
  static final int STALLED_CLIENT_SECONDS = 300;

  private static final CloseOnIdleHandler CLOSE_WHEN_IDLE = new CloseOnIdleHandler();

  private final RegistryRequestHandler handler;
  private final StevedoreMetrics metrics;
  private final InFlightRequests inFlight;
  private final ChannelGroup connections;
  private final ConnectionCapHandler connectionCap;
  private final Optional<SslContext> tls;

  RegistryChannelInitializer(
      RegistryRequestHandler handler,
      StevedoreMetrics metrics,
      InFlightRequests inFlight,
      ChannelGroup connections,
      ConnectionCapHandler connectionCap,
      Optional<SslContext> tls) {
    this.handler = handler;
    this.metrics = metrics;
    this.inFlight = inFlight;
    this.connections = connections;
    this.connectionCap = connectionCap;
    this.tls = tls;
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    connections.add(channel);
    channel.pipeline().addLast("connection-cap", connectionCap);
    tls.ifPresent(context -> channel.pipeline().addLast("tls", new HttpsOnlyHandler(context)));
    channel
        .pipeline()
        .addLast(
            "stalled-client",
            new IdleStateHandler(true, 0, 0, STALLED_CLIENT_SECONDS, TimeUnit.SECONDS))
        .addLast("close-idle", CLOSE_WHEN_IDLE);
    if (tls.isEmpty()) {
      channel.pipeline().addLast("tls-on-plain-http", new TlsOnPlainHttpDetector());
    }
    channel
        .pipeline()
        .addLast("codec", new ServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CHUNK_SIZE))
        .addLast("pipelining", new PipeliningHandler())
        .addLast("request-deadline", new RequestDeadlineHandler(REQUEST_DEADLINE))
        .addLast("access-log", new AccessLogHandler(metrics, inFlight))
        .addLast("keep-alive", new KeepAliveHandler())
        .addLast("registry", handler);
  }
}
