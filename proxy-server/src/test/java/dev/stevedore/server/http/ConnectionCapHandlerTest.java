package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.metrics.MeterNames;
import dev.stevedore.server.metrics.StevedoreMetrics;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class ConnectionCapHandlerTest {
  private final StevedoreMetrics metrics = new StevedoreMetrics();
  private final ClientConnections connections = new ClientConnections(2);
  private final ConnectionCapHandler cap = new ConnectionCapHandler(connections, metrics);

  /** A connection from the one address EmbeddedChannel has, through the cap. */
  private EmbeddedChannel connect() {
    return new EmbeddedChannel(cap, new ChannelInboundHandlerAdapter());
  }

  private double refused() {
    var counter = metrics.registry().find(MeterNames.CONNECTIONS_REFUSED.meterName()).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void connectionsWithinTheCap_stayOpen_andTheCapLeavesTheirPipeline() {
    EmbeddedChannel first = connect();
    EmbeddedChannel second = connect();

    assertThat(first.isOpen()).isTrue();
    assertThat(second.isOpen()).isTrue();
    assertThat(first.pipeline().get(ConnectionCapHandler.class)).isNull();
    assertThat(refused()).isZero();
    first.finishAndReleaseAll();
    second.finishAndReleaseAll();
  }

  @Test
  void connectionBeyondTheCap_isClosedAtOnce_andCounted() {
    EmbeddedChannel first = connect();
    EmbeddedChannel second = connect();

    EmbeddedChannel third = connect();

    assertThat(third.isOpen()).isFalse();
    assertThat(refused()).isEqualTo(1);
    assertThat(first.isOpen()).isTrue();
    first.finishAndReleaseAll();
    second.finishAndReleaseAll();
    third.finishAndReleaseAll();
  }

  @Test
  void closingAConnection_givesItsPlaceBack() {
    EmbeddedChannel first = connect();
    EmbeddedChannel second = connect();

    first.close();
    EmbeddedChannel third = connect();

    assertThat(third.isOpen()).isTrue();
    second.finishAndReleaseAll();
    third.finishAndReleaseAll();
  }
}
