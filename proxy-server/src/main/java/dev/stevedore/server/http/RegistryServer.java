package dev.stevedore.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The Netty server: binds the listen address and serves the registry API until closed. */
public final class RegistryServer implements AutoCloseable {
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel channel;

  private RegistryServer(EventLoopGroup boss, EventLoopGroup workers, Channel channel) {
    this.boss = boss;
    this.workers = workers;
    this.channel = channel;
  }

  /** Binds and starts serving; throws the bind failure (for example address in use). */
  public static RegistryServer start(InetSocketAddress address, RegistryServices services)
      throws InterruptedException {
    EventLoopGroup boss = new NioEventLoopGroup(1);
    EventLoopGroup workers = new NioEventLoopGroup();
    try {
      Channel bound =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_BACKLOG, 1024)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(new RegistryChannelInitializer(new RegistryRequestHandler(services)))
              .bind(address)
              .sync()
              .channel();
      return new RegistryServer(boss, workers, bound);
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

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    shutdown(boss, workers);
  }

  private static void shutdown(EventLoopGroup boss, EventLoopGroup workers) {
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
  }
}
