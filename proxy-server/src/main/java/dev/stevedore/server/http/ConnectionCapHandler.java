package dev.stevedore.server.http;

import dev.stevedore.server.auth.ClientKey;
import dev.stevedore.server.metrics.StevedoreMetrics;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head of every connection's pipeline: counts the connection against its client's cap in {@link
 * ClientConnections} and closes it at once, before TLS or any byte is read, when the client already
 * holds the maximum. A refused connection is counted in a metric; a warning is logged at most once
 * a minute (a flood must not flood the log too).
 */
@ChannelHandler.Sharable
final class ConnectionCapHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ConnectionCapHandler.class);
  private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final ClientConnections connections;
  private final StevedoreMetrics metrics;
  private final AtomicLong refusedSinceLog = new AtomicLong();
  private final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());

  ConnectionCapHandler(ClientConnections connections, StevedoreMetrics metrics) {
    this.connections = Objects.requireNonNull(connections, "connections");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    String client = ClientKey.of(ClientAddress.of(ctx.channel()));
    if (!connections.tryOpen(client)) {
      refused(client);
      ctx.close();
      return;
    }
    ctx.channel().closeFuture().addListener(closed -> connections.closed(client));
    ctx.fireChannelActive();
    ctx.pipeline().remove(this);
  }

  private void refused(String client) {
    metrics.connectionRefused();
    long refused = refusedSinceLog.incrementAndGet();
    long now = System.nanoTime();
    long due = nextLogNanos.get();
    if (now - due >= 0 && nextLogNanos.compareAndSet(due, now + LOG_EVERY_NANOS)) {
      refusedSinceLog.addAndGet(-refused);
      log.warn(
          "closed {} connection(s) on arrival since the last such warning: their client held"
              + " {} open connections already (max-connections-per-client); latest from {}",
          refused,
          connections.maxPerClient(),
          client);
    }
  }
}
