package dev.stevedore.server.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A blob download over a plain socket, for tests that need to stop reading in the middle of a body
 * and then drop the connection abruptly (RST), as a client that crashes or is cancelled does.
 */
public final class RawBlobClient implements AutoCloseable {
  private static final int READ_TIMEOUT_MILLIS = 15_000;

  private final Socket socket;
  private final InputStream in;
  private final String head;
  private long bodyBytes;

  private RawBlobClient(Socket socket, InputStream in, String head) {
    this.socket = socket;
    this.in = in;
    this.head = head;
  }

  /** Sends {@code GET /v2/REPOSITORY/blobs/DIGEST} and reads the response head. */
  public static RawBlobClient get(URI registry, String repository, String digest)
      throws IOException {
    return get(registry, repository, digest, "");
  }

  /** Like {@link #get(URI, String, String)} with {@code Range: RANGE} (e.g. {@code bytes=0-9}). */
  public static RawBlobClient getRange(URI registry, String repository, String digest, String range)
      throws IOException {
    return get(registry, repository, digest, "Range: " + range + "\r\n");
  }

  private static RawBlobClient get(
      URI registry, String repository, String digest, String extraHeaders) throws IOException {
    Socket socket = new Socket(registry.getHost(), registry.getPort());
    try {
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      String request =
          "GET /v2/"
              + repository
              + "/blobs/"
              + digest
              + " HTTP/1.1\r\nHost: "
              + registry.getHost()
              + ":"
              + registry.getPort()
              + "\r\nUser-Agent: stevedore-integrity-it\r\n"
              + extraHeaders
              + "\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      return new RawBlobClient(socket, in, readHead(in));
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** The status line and headers. */
  public String head() {
    return head;
  }

  public int status() {
    return Integer.parseInt(head.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3));
  }

  /** Reads body bytes (and throws them away) until at least {@code atLeast} have arrived. */
  public long readAtLeast(long atLeast) throws IOException {
    byte[] buffer = new byte[16 * 1024];
    while (bodyBytes < atLeast) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, atLeast - bodyBytes));
      if (read < 0) {
        throw new IOException("the body ended after " + bodyBytes + " bytes\n" + head);
      }
      bodyBytes += read;
    }
    return bodyBytes;
  }

  /** Reads exactly {@code count} body bytes, or fewer only if the body ends first. */
  public byte[] readBytes(int count) throws IOException {
    byte[] bytes = in.readNBytes(count);
    bodyBytes += bytes.length;
    return bytes;
  }

  /** A response header's value ({@code name} in any case), or null. */
  public String header(String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  /** Body bytes read so far. */
  public long bodyBytes() {
    return bodyBytes;
  }

  /** Drops the connection with a TCP reset, mid-body, without reading on. */
  public void abort() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed in the response head: " + head);
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > 64 * 1024) {
        throw new IOException("response head too long");
      }
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    if (!text.toUpperCase(Locale.ROOT).startsWith("HTTP/1.1 ")) {
      throw new IOException("not an HTTP/1.1 response: " + text);
    }
    return text;
  }
}
