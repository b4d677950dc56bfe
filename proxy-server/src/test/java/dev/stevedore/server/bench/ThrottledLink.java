package dev.stevedore.server.bench;

import dev.stevedore.server.it.support.CdnFront;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A slow Internet link between Stevedore and the emulated Docker Hub, for {@code --upstream-mibps}:
 * with the whole upstream on loopback a single pull is bounded by this machine's CPU, whereas a
 * classroom's pull is bounded by its uplink. Two TCP relays:
 *
 * <ul>
 *   <li>{@code 127.0.0.1:P1} forwards to the {@link CdnFront} front unthrottled, rewriting the
 *       CDN's address in its responses ({@code 127.0.0.2:PORT}, in the 307 {@code Location} of
 *       every blob GET) to {@code 127.0.0.3:PORT};
 *   <li>{@code 127.0.0.3:PORT} forwards to the CDN, sending the CDN's bytes back at no more than
 *       the link's rate, shared by all connections.
 * </ul>
 *
 * The front and the CDN still see (and count) every request and byte.
 */
final class ThrottledLink implements AutoCloseable {
  static final String LINK_HOST = "127.0.0.3";
  private static final int CHUNK = 16 * 1024;

  /** How long a partial match of the CDN address waits for its next bytes before going out. */
  private static final int REWRITE_WAIT_MILLIS = 20;

  private final double bytesPerSecond;
  private final ExecutorService threads;
  private final ServerSocket frontRelay;
  private final ServerSocket cdnRelay;
  private final InetSocketAddress front;
  private final InetSocketAddress cdn;
  private final byte[] cdnAddress;
  private final byte[] linkAddress;
  private long nextFree;

  private ThrottledLink(CdnFront upstream, double mibPerSecond) throws IOException {
    this.bytesPerSecond = mibPerSecond * 1024 * 1024;
    this.front = new InetSocketAddress(upstream.uri().getHost(), upstream.uri().getPort());
    URI cdnUri = upstream.cdnUri();
    this.cdn = new InetSocketAddress(cdnUri.getHost(), cdnUri.getPort());
    this.cdnAddress =
        (cdnUri.getHost() + ":" + cdnUri.getPort()).getBytes(StandardCharsets.US_ASCII);
    this.linkAddress = (LINK_HOST + ":" + cdnUri.getPort()).getBytes(StandardCharsets.US_ASCII);
    AtomicInteger count = new AtomicInteger();
    this.threads =
        Executors.newCachedThreadPool(
            runnable -> {
              Thread thread = new Thread(runnable, "cdn-link-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    this.frontRelay = new ServerSocket(0, 64, InetAddress.getByName(CdnFront.FRONT_HOST));
    try {
      this.cdnRelay = new ServerSocket(cdnUri.getPort(), 64, InetAddress.getByName(LINK_HOST));
    } catch (IOException e) {
      frontRelay.close();
      throw e;
    }
    threads.execute(() -> accept(frontRelay, front, false));
    threads.execute(() -> accept(cdnRelay, cdn, true));
  }

  /** Starts the relays; blob bytes will flow at most {@code mibPerSecond} MiB/s in total. */
  static ThrottledLink start(CdnFront upstream, double mibPerSecond) {
    try {
      return new ThrottledLink(upstream, mibPerSecond);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the throttled link relays", e);
    }
  }

  /** The upstream address to give Stevedore instead of the front's. */
  URI uri() {
    return URI.create("http://" + CdnFront.FRONT_HOST + ":" + frontRelay.getLocalPort());
  }

  @Override
  public void close() {
    closeQuietly(frontRelay);
    closeQuietly(cdnRelay);
    threads.shutdownNow();
  }

  private void accept(ServerSocket listener, InetSocketAddress target, boolean throttled) {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException closed) {
        return;
      }
      threads.execute(() -> relay(client, target, throttled));
    }
  }

  private void relay(Socket client, InetSocketAddress target, boolean throttled) {
    try (client;
        Socket server = new Socket()) {
      server.connect(target, 5_000);
      client.setTcpNoDelay(true);
      server.setTcpNoDelay(true);
      threads.execute(() -> pump(client, server));
      if (throttled) {
        throttledPump(server, client);
      } else {
        server.setSoTimeout(REWRITE_WAIT_MILLIS);
        rewritingPump(server, client);
      }
    } catch (IOException ignored) {
      // one side went away; closing both ends the other pump too
    }
  }

  /** Copies requests as they are; ends the other side's output at end of stream. */
  private static void pump(Socket from, Socket to) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      byte[] buffer = new byte[CHUNK];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
      }
      to.shutdownOutput();
    } catch (IOException ignored) {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void throttledPump(Socket from, Socket to) throws IOException {
    InputStream in = from.getInputStream();
    OutputStream out = to.getOutputStream();
    byte[] buffer = new byte[CHUNK];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      LockSupport.parkNanos(reserve(n) - System.nanoTime());
      out.write(buffer, 0, n);
    }
    to.shutdownOutput();
  }

  /** The moment the link has carried {@code bytes} more: one shared queue for all connections. */
  private synchronized long reserve(int bytes) {
    long now = System.nanoTime();
    long start = Math.max(now, nextFree);
    nextFree = start + (long) (bytes * 1e9 / bytesPerSecond);
    return nextFree;
  }

  /**
   * Copies responses, replacing the CDN's address with the link's (same length). A tail that could
   * be the start of the address waits up to {@link #REWRITE_WAIT_MILLIS} for the rest.
   */
  private void rewritingPump(Socket from, Socket to) throws IOException {
    InputStream in = from.getInputStream();
    OutputStream out = to.getOutputStream();
    byte[] buffer = new byte[CHUNK + cdnAddress.length];
    int held = 0;
    while (true) {
      int n;
      try {
        n = in.read(buffer, held, CHUNK);
      } catch (SocketTimeoutException quiet) {
        out.write(buffer, 0, held);
        held = 0;
        continue;
      }
      if (n < 0) {
        out.write(buffer, 0, held);
        to.shutdownOutput();
        return;
      }
      int length = held + n;
      replaceAll(buffer, length);
      held = partialMatchAtEnd(buffer, length);
      out.write(buffer, 0, length - held);
      System.arraycopy(buffer, length - held, buffer, 0, held);
    }
  }

  private void replaceAll(byte[] data, int length) {
    for (int i = 0; i + cdnAddress.length <= length; i++) {
      if (Arrays.equals(data, i, i + cdnAddress.length, cdnAddress, 0, cdnAddress.length)) {
        System.arraycopy(linkAddress, 0, data, i, linkAddress.length);
      }
    }
  }

  /** Length of the longest tail of {@code data} that is a proper prefix of the CDN's address. */
  private int partialMatchAtEnd(byte[] data, int length) {
    for (int tail = Math.min(cdnAddress.length - 1, length); tail > 0; tail--) {
      if (Arrays.equals(data, length - tail, length, cdnAddress, 0, tail)) {
        return tail;
      }
    }
    return 0;
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // closing anyway
    }
  }
}
