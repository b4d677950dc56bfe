package dev.stevedore.server.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A registry of the test code's own that lies: an anonymous upstream (its {@code /v2/} answers 200,
 * so no token is asked for) on raw sockets, so a test controls every byte it sends — wrong digests,
 * HTML, lying {@code Content-Length}, huge or endless bodies, trickles, redirect tricks. A test
 * registers {@link #on(String, String, Behaviour) behaviours} by method and path pattern; a request
 * nothing matches gets a 404 with an OCI error body. Every request line is logged for assertions.
 */
public final class HostileRegistry implements AutoCloseable {

  /** What the server does with one matched request: it writes the whole response itself. */
  @FunctionalInterface
  public interface Behaviour {
    void answer(Request request, OutputStream out) throws IOException, InterruptedException;
  }

  /** A parsed request: method, path (raw, with query) and headers (names lower-cased). */
  public record Request(String method, String target, Map<String, String> headers) {
    public String path() {
      int query = target.indexOf('?');
      return query < 0 ? target : target.substring(0, query);
    }
  }

  private record Rule(String method, Pattern path, Behaviour behaviour) {}

  private final ServerSocket server;
  private final ExecutorService threads;
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final List<String> requestLog = Collections.synchronizedList(new ArrayList<>());
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  private HostileRegistry(ServerSocket server) {
    this.server = server;
    AtomicInteger count = new AtomicInteger();
    this.threads =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "hostile-registry-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    threads.execute(this::acceptLoop);
  }

  /** Starts on {@code 127.0.0.1} and an ephemeral port. */
  public static HostileRegistry start() {
    try {
      ServerSocket socket = new ServerSocket();
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
      return new HostileRegistry(socket);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the hostile registry", e);
    }
  }

  /** {@code http://127.0.0.1:PORT}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /**
   * Answers requests with {@code method} (null: any) whose path (without query) matches {@code
   * pathRegex}; later rules take precedence over earlier ones.
   */
  public HostileRegistry on(String method, String pathRegex, Behaviour behaviour) {
    rules.add(0, new Rule(method, Pattern.compile(pathRegex), behaviour));
    return this;
  }

  /** Every request line received so far ({@code "GET /v2/..."}), in order. */
  public List<String> requests() {
    synchronized (requestLog) {
      return List.copyOf(requestLog);
    }
  }

  /** How many received request lines match {@code regex}. */
  public long count(String regex) {
    Pattern pattern = Pattern.compile(regex);
    return requests().stream().filter(line -> pattern.matcher(line).matches()).count();
  }

  public void clearRequests() {
    requestLog.clear();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    open.forEach(
        socket -> {
          try {
            socket.close();
          } catch (IOException ignored) {
            // closing anyway
          }
        });
    threads.shutdownNow();
  }

  // ---- canned behaviours ----

  /** A complete response with {@code Content-Length}, plus extra headers. */
  public static Behaviour respond(
      int status, String contentType, byte[] body, Map<String, String> headers) {
    return (request, out) -> {
      StringBuilder head = statusLine(status);
      if (contentType != null) {
        head.append("Content-Type: ").append(contentType).append("\r\n");
      }
      headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
      head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (!request.method().equals("HEAD")) {
        out.write(body);
      }
      out.flush();
    };
  }

  /** A 200 with {@code body}, its type, and {@code Docker-Content-Digest} set to {@code digest}. */
  public static Behaviour manifest(String contentType, byte[] body, String digest) {
    return respond(200, contentType, body, Map.of("Docker-Content-Digest", digest));
  }

  /**
   * Response headers (which must not include a length), then {@code body} in chunked encoding,
   * {@code chunkBytes} at a time with {@code pauseMillis} between chunks, then the last chunk.
   */
  public static Behaviour chunked(String headers, byte[] body, int chunkBytes, long pauseMillis) {
    return (request, out) -> {
      out.write(
          ("HTTP/1.1 200 OK\r\n" + headers + "Transfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      for (int offset = 0; offset < body.length; offset += chunkBytes) {
        int length = Math.min(chunkBytes, body.length - offset);
        out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body, offset, length);
        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        if (pauseMillis > 0) {
          Thread.sleep(pauseMillis);
        }
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    };
  }

  /**
   * Headers announcing {@code announcedLength} bytes, then {@code body} one piece of {@code
   * pieceBytes} every {@code pauseMillis}: a trickle (or, with a body shorter than announced, a lie
   * followed by a close).
   */
  public static Behaviour trickle(
      Map<String, String> headers,
      long announcedLength,
      byte[] body,
      int pieceBytes,
      long pauseMillis) {
    return (request, out) -> {
      StringBuilder head = statusLine(200);
      headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
      head.append("Content-Length: ").append(announcedLength).append("\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      for (int offset = 0; offset < body.length; offset += pieceBytes) {
        out.write(body, offset, Math.min(pieceBytes, body.length - offset));
        out.flush();
        if (pauseMillis > 0) {
          Thread.sleep(pauseMillis);
        }
      }
    };
  }

  /**
   * A redirect ({@code status}) to {@code location}; with {@code endlessBody}, a chunked body that
   * never ends follows (a byte a second), else an empty one.
   */
  public static Behaviour redirect(int status, String location, boolean endlessBody) {
    return (request, out) -> {
      StringBuilder head = statusLine(status).append("Location: ").append(location).append("\r\n");
      if (!endlessBody) {
        out.write(
            head.append("Content-Length: 0\r\n\r\n")
                .toString()
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return;
      }
      out.write(
          head.append("Transfer-Encoding: chunked\r\n\r\n")
              .toString()
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      while (true) {
        out.write("1\r\nx\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        Thread.sleep(1000);
      }
    };
  }

  /** Response headers (no length), then a chunked body that never ends: a byte a second. */
  public static Behaviour chunkedForever(String headers) {
    return (request, out) -> {
      out.write(
          ("HTTP/1.1 200 OK\r\n" + headers + "Transfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      while (true) {
        out.write("1\r\n{\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        Thread.sleep(1000);
      }
    };
  }

  /** Holds the request without answering until the connection is closed. */
  public static Behaviour hang() {
    return (request, out) -> Thread.sleep(Long.MAX_VALUE);
  }

  private static StringBuilder statusLine(int status) {
    return new StringBuilder("HTTP/1.1 ").append(status).append(" Hostile\r\n");
  }

  // ---- the server ----

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        open.add(socket);
        threads.execute(() -> serve(socket));
      } catch (IOException e) {
        return; // closed
      } catch (RuntimeException rejected) {
        return; // shutting down
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      while (true) {
        Request request = readRequest(in);
        if (request == null) {
          return;
        }
        requestLog.add(request.method() + " " + request.target());
        Behaviour behaviour = behaviourFor(request);
        behaviour.answer(request, out);
      }
    } catch (SocketException closed) {
      // the client hung up or we were closed
    } catch (IOException e) {
      // the client hung up
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(socket);
    }
  }

  private Behaviour behaviourFor(Request request) {
    for (Rule rule : rules) {
      if ((rule.method() == null || rule.method().equalsIgnoreCase(request.method()))
          && rule.path().matcher(request.path()).matches()) {
        return rule.behaviour();
      }
    }
    if (request.path().equals("/v2/") || request.path().equals("/v2")) {
      return respond(200, "application/json", "{}".getBytes(StandardCharsets.UTF_8), Map.of());
    }
    return respond(
        404,
        "application/json",
        "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"nothing here\"}]}"
            .getBytes(StandardCharsets.UTF_8),
        Map.of());
  }

  /** Reads one request head (and skips a Content-Length body); null at the end of the stream. */
  private static Request readRequest(InputStream in) throws IOException {
    String line = readLine(in);
    if (line == null || line.isEmpty()) {
      return null;
    }
    String[] parts = line.split(" ");
    if (parts.length < 2) {
      return null;
    }
    Map<String, String> headers = new java.util.LinkedHashMap<>();
    String header;
    while ((header = readLine(in)) != null && !header.isEmpty()) {
      int colon = header.indexOf(':');
      if (colon > 0) {
        headers.put(
            header.substring(0, colon).strip().toLowerCase(Locale.ROOT),
            header.substring(colon + 1).strip());
      }
    }
    long length = Long.parseLong(headers.getOrDefault("content-length", "0"));
    in.skipNBytes(length);
    return new Request(parts[0], parts[1], headers);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }
}
