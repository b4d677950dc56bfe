package dev.stevedore.server.it.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * One HTTP/1.1 connection over a plain or TLS socket that sends exactly the bytes it is given
 * (pipelined requests in one write, raw control characters, any escape) and reads the responses one
 * after another, as they come on the wire.
 */
public final class RawHttpConnection implements AutoCloseable {
  private static final int READ_TIMEOUT_MILLIS = 30_000;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawHttpConnection(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** A plain connection to {@code server}'s host and port. */
  public static RawHttpConnection open(URI server) throws IOException {
    return new RawHttpConnection(new Socket(server.getHost(), server.getPort()));
  }

  /** A TLS connection to {@code server}, trusting what {@code tls} trusts. */
  public static RawHttpConnection openTls(URI server, SSLContext tls) throws IOException {
    return new RawHttpConnection(
        tls.getSocketFactory().createSocket(server.getHost(), server.getPort()));
  }

  /** {@code GET target} with {@code Host} and any extra header lines ({@code "Name: value"}). */
  public static String get(String target, String... headerLines) {
    StringBuilder request = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\n");
    request.append("Host: stevedore\r\n");
    for (String header : headerLines) {
      request.append(header).append("\r\n");
    }
    return request.append("\r\n").toString();
  }

  /** Sends {@code requests} (ISO-8859-1 bytes) in one write. */
  public RawHttpConnection send(String requests) throws IOException {
    out.write(requests.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  /** One response: status, headers (names lower-cased), body. */
  public record Response(int status, Map<String, String> headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** Reads the next response; a response to a HEAD request cannot be read with this. */
  public Response read() throws IOException {
    String statusLine = line();
    if (!statusLine.startsWith("HTTP/1.1 ")) {
      throw new IOException("not a status line: " + statusLine);
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = line(); !line.isEmpty(); line = line()) {
      int colon = line.indexOf(':');
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      headers.put(name, line.substring(colon + 1).trim());
    }
    byte[] body;
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = chunkedBody();
    } else {
      body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
    }
    return new Response(status, headers, body);
  }

  private byte[] chunkedBody() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      int size = Integer.parseInt(line().split(";")[0].trim(), 16);
      if (size == 0) {
        while (!line().isEmpty()) {
          // trailers
        }
        return body.toByteArray();
      }
      body.write(in.readNBytes(size));
      line();
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new EOFException("connection closed after: " + line);
      }
      line.write(b);
    }
    String text = line.toString(StandardCharsets.ISO_8859_1);
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
