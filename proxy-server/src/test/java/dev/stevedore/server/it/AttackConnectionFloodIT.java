package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.InProcessStevedore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack: one address opens connections and leaves them idle until the server runs out of file
 * descriptors, so that probes and other clients time out. With {@code --max-connections-per-client}
 * the server closes each connection beyond the cap as it arrives: the attacker keeps only its
 * share, other addresses (127.0.0.2 here) are served, and the attacking address itself is served
 * again once it closes some.
 */
class AttackConnectionFloodIT {
  private static final int CAP = 50;
  private static final int FLOOD = 200;
  private static final int READ_TIMEOUT_MILLIS = 10_000;

  @TempDir Path work;
  private InProcessStevedore proxy;
  private final List<Socket> flood = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    proxy =
        InProcessStevedore.on(work.resolve("data"))
            .upstream("docker.io", URI.create("http://127.0.0.1:9")) // never reached
            .maxConnectionsPerClient(CAP)
            .start();
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : flood) {
      socket.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void idleConnectionsFromOneAddress_beyondTheCapAreClosed_othersStillServed() throws Exception {
    for (int i = 0; i < FLOOD; i++) {
      flood.add(connectFrom("127.0.0.1"));
    }

    Optional<Integer> otherAddress = healthzOn(connectFrom("127.0.0.2"), true);
    assertThat(otherAddress).as("/healthz from 127.0.0.2 during the flood").contains(200);

    List<Socket> served = new ArrayList<>();
    int closedByServer = 0;
    for (Socket socket : flood) {
      if (healthzOn(socket, false).isPresent()) {
        served.add(socket);
      } else {
        closedByServer++;
      }
    }
    assertThat(served.size()).as("connections of 127.0.0.1 the server kept").isEqualTo(CAP);
    assertThat(closedByServer).isEqualTo(FLOOD - CAP);
    assertThat(healthzOn(connectFrom("127.0.0.1"), true))
        .as("one more from the capped address")
        .isEmpty();

    for (int i = 0; i < 10; i++) {
      served.get(i).close();
    }
    assertThat(healthzFromAfterItsClosesLand("127.0.0.1"))
        .as("/healthz from 127.0.0.1 after it closed some")
        .contains(200);
  }

  /** The server releases closed connections asynchronously: retry a bounded number of times. */
  private Optional<Integer> healthzFromAfterItsClosesLand(String address) throws Exception {
    Optional<Integer> status = Optional.empty();
    for (int attempt = 0; attempt < 50 && status.isEmpty(); attempt++) {
      status = healthzOn(connectFrom(address), true);
      if (status.isEmpty()) {
        Thread.sleep(100);
      }
    }
    return status;
  }

  private Socket connectFrom(String address) throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
    socket.connect(new InetSocketAddress(proxy.uri().getHost(), proxy.uri().getPort()));
    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    return socket;
  }

  /**
   * Sends {@code GET /healthz} on {@code socket}: the status, or empty when the server had closed
   * the connection (end of stream or reset).
   */
  private Optional<Integer> healthzOn(Socket socket, boolean closeAfter) throws IOException {
    try {
      String request = "GET /healthz HTTP/1.1\r\nHost: " + proxy.uri().getAuthority() + "\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String statusLine = readLine(socket.getInputStream());
      return statusLine == null
          ? Optional.empty()
          : Optional.of(Integer.parseInt(statusLine.split(" ")[1]));
    } catch (java.net.SocketException reset) {
      return Optional.empty();
    } finally {
      if (closeAfter) {
        socket.close();
      }
    }
  }

  /** One line without its CRLF, or null at end of stream before any byte. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
