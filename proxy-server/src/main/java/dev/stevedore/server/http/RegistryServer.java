package dev.stevedore.server.http;

import dev.stevedore.server.ServerOptions;
import dev.stevedore.server.tls.ServerTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The Netty server: binds the listen address and serves the registry API until closed. */
public final class RegistryServer implements AutoCloseable {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(RegistryServer.class);
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel channel;
  private final ChannelGroup connections;
  private final InFlightRequests inFlight;

  private RegistryServer(
      EventLoopGroup boss,
      EventLoopGroup workers,
      Channel channel,
      ChannelGroup connections,
      InFlightRequests inFlight) {
    this.boss = boss;
    this.workers = workers;
    this.channel = channel;
    this.connections = connections;
    this.inFlight = inFlight;
  }

  /**
   * Binds and starts serving, closing on arrival any connection beyond {@code
   * maxConnectionsPerClient} of one client; throws the bind failure (for example address in use).
   */
  public static RegistryServer start(
      InetSocketAddress address,
      RegistryServices services,
      ServerOptions options,
      int maxConnectionsPerClient)
      throws InterruptedException {
    Transport transport = Transport.best();
    EventLoopGroup boss = transport.newGroup(1);
    EventLoopGroup workers = transport.newGroup(0);
    ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    InFlightRequests inFlight = new InFlightRequests();
    try {
      Channel bound =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(transport.serverChannel())
              .option(ChannelOption.SO_BACKLOG, 1024)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new RegistryChannelInitializer(
                      new RegistryRequestHandler(services, options.access()),
                      services.metrics(),
                      inFlight,
                      connections,
                      new ConnectionCapHandler(
                          new ClientConnections(maxConnectionsPerClient), services.metrics()),
                      options.tls().map(ServerTls::context)))
              .bind(address)
              .sync()
              .channel();
      log.debug("serving with the {} transport", transport);
      return new RegistryServer(boss, workers, bound, connections, inFlight);
    } catch (Exception e) { // Netty rethrows bind failures unchecked
      shutdown(boss, workers);
      throw e;
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** Waits until the server channel closes. */
  public void awaitClose() throws InterruptedException {
    channel.closeFuture().sync();
  }

  /** Closes at once. */
  @Override
  public void close() {
    close(Duration.ZERO);
  }

  /**
   * Stops accepting connections, lets responses in progress finish for up to {@code drain}, then
   * closes every connection and the event loops.
   */
  public void close(Duration drain) {
    channel.close().syncUninterruptibly();
    long deadline = System.nanoTime() + drain.toNanos();
    while (inFlight.count() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    shutdown(boss, workers);
  }

  private static void shutdown(EventLoopGroup boss, EventLoopGroup workers) {
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
  }
}
