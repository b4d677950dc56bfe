package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.server.it.support.AccessLogCapture;
import dev.stevedore.server.it.support.InProcessStevedore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that speaks HTTPS to Stevedore's plain-HTTP port (a mirror configured with https://, a
 * TLS probe) sends a ClientHello: it is refused as before, and the access log says what happened in
 * one {@code "tls-on-plain-http"} line rather than Netty's {@code GET /bad-request}.
 */
class TlsOnPlainHttpIT {
  @TempDir Path work;

  @Test
  void tlsHandshake_onThePlainPort_isRefused_andLoggedAsTlsOnPlainHttp() throws Exception {
    try (InProcessStevedore proxy =
            InProcessStevedore.on(work.resolve("data"))
                .upstream("docker.io", URI.create("http://127.0.0.1:9"))
                .start();
        AccessLogCapture log = new AccessLogCapture()) {
      URI uri = proxy.uri();
      try (SSLSocket socket =
          (SSLSocket)
              SSLContext.getDefault()
                  .getSocketFactory()
                  .createSocket(uri.getHost(), uri.getPort())) {
        socket.setSoTimeout(15_000);
        assertThatThrownBy(socket::startHandshake).isInstanceOf(IOException.class);
      }

      for (int attempt = 0; attempt < 500 && log.lines().isEmpty(); attempt++) {
        Thread.sleep(10);
      }
      assertThat(log.lines())
          .singleElement()
          .asString()
          .contains("\"tls-on-plain-http\" 400 ")
          .doesNotContain("bad-request");
    }
  }
}
