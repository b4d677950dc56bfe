package dev.stevedore.server.it.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Small helpers for the JDK {@link HttpServer}s of the emulated upstream. */
final class HttpExchanges {
  private static final Logger LOG = LoggerFactory.getLogger(HttpExchanges.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpExchanges() {}

  /** A started server on {@code host:0} with one root handler and a daemon thread pool. */
  static HttpServer startServer(String host, String name, HttpHandler handler) {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), 0), 64);
      AtomicInteger threads = new AtomicInteger();
      ExecutorService executor =
          Executors.newCachedThreadPool(
              runnable -> {
                Thread thread = new Thread(runnable, name + "-" + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
              });
      server.setExecutor(executor);
      server.createContext("/", guarded(name, handler));
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the " + name + " server on " + host, e);
    }
  }

  static void stopServer(HttpServer server) {
    server.stop(0);
    if (server.getExecutor() instanceof ExecutorService executor) {
      executor.shutdownNow();
    }
  }

  /** Turns an unexpected exception into a logged 500 instead of a silently reset connection. */
  private static HttpHandler guarded(String name, HttpHandler handler) {
    return exchange -> {
      try {
        handler.handle(exchange);
      } catch (IOException | RuntimeException e) {
        LOG.warn(
            "{}: {} {} failed", name, exchange.getRequestMethod(), exchange.getRequestURI(), e);
        try {
          sendText(exchange, 500, "test harness failure: " + e);
        } catch (IOException | RuntimeException ignored) {
          // headers were already sent; the client sees a truncated response
        }
      } finally {
        exchange.close();
      }
    };
  }

  static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    sendBytes(exchange, status, bytes);
  }

  static void sendText(HttpExchange exchange, int status, String body) throws IOException {
    if (!exchange.getResponseHeaders().containsKey("Content-Type")) {
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    }
    sendBytes(exchange, status, body.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends a complete body, or for HEAD only its Content-Length. */
  static void sendBytes(HttpExchange exchange, int status, byte[] body) throws IOException {
    if (isHead(exchange) || body.length == 0) {
      exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  static boolean isHead(HttpExchange exchange) {
    return "HEAD".equalsIgnoreCase(exchange.getRequestMethod());
  }

  static byte[] readBody(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      return in.readAllBytes();
    }
  }

  /** Decoded query parameters; a repeated parameter keeps every value in order. */
  static Map<String, List<String>> queryParameters(String rawQuery) {
    Map<String, List<String>> parameters = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return parameters;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String key = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      parameters.computeIfAbsent(decode(key), k -> new ArrayList<>()).add(decode(value));
    }
    return parameters;
  }

  private static String decode(String component) {
    return URLDecoder.decode(component, StandardCharsets.UTF_8);
  }
}
