package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollSocketChannelConfig;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TcpCorkTest {
  @Test
  void anEpollConnection_isCorkedAndUncorked() throws Exception {
    assertThat(Epoll.isAvailable()).as("epoll on this Linux machine").isTrue();
    EventLoopGroup group = new EpollEventLoopGroup(1);
    try {
      CompletableFuture<Channel> accepted = new CompletableFuture<>();
      Channel server =
          new ServerBootstrap()
              .group(group)
              .channel(EpollServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                      accepted.complete(channel);
                    }
                  })
              .bind(new InetSocketAddress("127.0.0.1", 0))
              .sync()
              .channel();
      Channel client =
          new Bootstrap()
              .group(group)
              .channel(EpollSocketChannel.class)
              .handler(
                  new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {}
                  })
              .connect(server.localAddress())
              .sync()
              .channel();
      Channel connection = accepted.get(10, TimeUnit.SECONDS);
      EpollSocketChannelConfig config = (EpollSocketChannelConfig) connection.config();

      assertThat(TcpCork.on(connection)).isTrue();
      assertThat(config.isTcpCork()).isTrue();
      TcpCork.off(connection);
      assertThat(config.isTcpCork()).isFalse();

      connection.close().sync();
      assertThat(TcpCork.on(connection)).isFalse();
      TcpCork.off(connection); // a closed connection is left alone, no exception
      client.close().sync();
      server.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void aTransportWithoutCork_isLeftAlone() {
    EmbeddedChannel channel = new EmbeddedChannel();

    assertThat(TcpCork.on(channel)).isFalse();
    TcpCork.off(channel);
    channel.finishAndReleaseAll();
  }
}
