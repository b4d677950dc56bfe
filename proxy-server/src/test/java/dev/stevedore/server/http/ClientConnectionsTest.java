package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ClientConnectionsTest {
  private final ClientConnections connections = new ClientConnections(3);

  @Test
  void upToTheCap_areAdmitted_thenRefused() {
    assertThat(connections.tryOpen("10.0.0.1")).isTrue();
    assertThat(connections.tryOpen("10.0.0.1")).isTrue();
    assertThat(connections.tryOpen("10.0.0.1")).isTrue();

    assertThat(connections.tryOpen("10.0.0.1")).isFalse();
    assertThat(connections.openBy("10.0.0.1")).as("a refusal is not counted").isEqualTo(3);
  }

  @Test
  void otherClients_keepTheirRoom() {
    for (int i = 0; i < 3; i++) {
      connections.tryOpen("10.0.0.1");
    }

    assertThat(connections.tryOpen("10.0.0.2")).isTrue();
  }

  @Test
  void closingOne_makesRoomForOne() {
    for (int i = 0; i < 3; i++) {
      connections.tryOpen("10.0.0.1");
    }

    connections.closed("10.0.0.1");

    assertThat(connections.tryOpen("10.0.0.1")).isTrue();
    assertThat(connections.tryOpen("10.0.0.1")).isFalse();
  }

  @Test
  void aClientWithNoConnectionLeft_isForgotten() {
    connections.tryOpen("10.0.0.1");
    connections.tryOpen("10.0.0.2");

    connections.closed("10.0.0.1");
    connections.closed("10.0.0.1"); // a stray close does not go below zero

    assertThat(connections.clients()).isEqualTo(1);
    assertThat(connections.openBy("10.0.0.1")).isZero();
  }

  @Test
  void concurrentOpens_neverPassTheCap() throws Exception {
    ClientConnections shared = new ClientConnections(50);
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Boolean>> opens = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        opens.add(() -> shared.tryOpen("10.0.0.1"));
      }
      long admitted = 0;
      for (Future<Boolean> open : threads.invokeAll(opens)) {
        admitted += open.get() ? 1 : 0;
      }

      assertThat(admitted).isEqualTo(50);
      assertThat(shared.openBy("10.0.0.1")).isEqualTo(50);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void capBelowOne_isRejected() {
    assertThatThrownBy(() -> new ClientConnections(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
