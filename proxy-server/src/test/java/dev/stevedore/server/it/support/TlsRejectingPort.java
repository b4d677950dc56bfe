package dev.stevedore.server.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP port that forwards plain HTTP to a backend (a JDK {@code HttpServer}) but answers a TLS
 * ClientHello at once with a plain-HTTP 400, as Go's net/http does.
 *
 * <p>Why: skopeo/containers-image with {@code --tls-verify=false} first tries HTTPS and falls back
 * to HTTP only after that fails. The JDK HttpServer waits forever for a CRLF in the TLS bytes, so
 * every skopeo command would first sit out Go's 10 s TLS handshake timeout.
 */
final class TlsRejectingPort implements AutoCloseable {
  private static final int TLS_HANDSHAKE_RECORD = 0x16;
  private static final byte[] PLAIN_HTTP_400 =
      ("HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"
              + "Client sent an HTTPS request to a plain HTTP server.\n")
          .getBytes(StandardCharsets.US_ASCII);

  private final ServerSocket listener;
  private final InetSocketAddress backend;
  private final ExecutorService threads;

  TlsRejectingPort(String host, InetSocketAddress backend, String name) {
    this.backend = backend;
    this.threads =
        Executors.newCachedThreadPool(
            runnable -> {
              Thread thread = new Thread(runnable, name + "-tcp");
              thread.setDaemon(true);
              return thread;
            });
    try {
      this.listener = new ServerSocket(0, 64, InetAddress.getByName(host));
    } catch (IOException e) {
      threads.shutdownNow();
      throw new UncheckedIOException("cannot listen on " + host, e);
    }
    threads.execute(this::acceptLoop);
  }

  int port() {
    return listener.getLocalPort();
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    threads.shutdownNow();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        threads.execute(() -> serve(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    try {
      client.setTcpNoDelay(true);
      int first = client.getInputStream().read();
      if (first == TLS_HANDSHAKE_RECORD) {
        client.getOutputStream().write(PLAIN_HTTP_400);
      }
      if (first < 0 || first == TLS_HANDSHAKE_RECORD) {
        client.close();
        return;
      }
      Socket server = new Socket(backend.getAddress(), backend.getPort());
      server.setTcpNoDelay(true);
      server.getOutputStream().write(first);
      AtomicInteger openDirections = new AtomicInteger(2);
      Runnable directionDone =
          () -> {
            if (openDirections.decrementAndGet() == 0) {
              closeQuietly(client);
              closeQuietly(server);
            }
          };
      threads.execute(
          () -> {
            pump(server, client);
            directionDone.run();
          });
      pump(client, server);
      directionDone.run();
    } catch (IOException e) {
      closeQuietly(client);
    }
  }

  /** Copies until EOF, then half-closes the destination; on error closes both sockets. */
  private static void pump(Socket from, Socket to) {
    byte[] buffer = new byte[64 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int read; (read = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, read);
      }
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
