package dev.stevedore.server.it.support;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Queued canned failures (429, 503, ...) that {@link CdnFront} answers instead of proxying, each
 * for the next N requests whose path matches a regular expression (and, optionally, whose method is
 * a given one).
 */
final class FaultInjector {
  /** {@code method} null matches any method. */
  private record Fault(
      String method,
      Pattern path,
      int status,
      Map<String, String> headers,
      AtomicInteger remaining) {}

  private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
  private final AtomicInteger injected = new AtomicInteger();

  void add(String pathRegex, int times, int status, Map<String, String> headers) {
    add(null, pathRegex, times, status, headers);
  }

  /** Like {@link #add(String, int, int, Map)}, for requests with {@code method} (null: any). */
  void add(String method, String pathRegex, int times, int status, Map<String, String> headers) {
    if (times < 1) {
      throw new IllegalArgumentException("times must be at least 1: " + times);
    }
    faults.add(
        new Fault(
            method,
            Pattern.compile(pathRegex),
            status,
            Map.copyOf(headers),
            new AtomicInteger(times)));
  }

  /** Answers the exchange with the first pending matching fault; false if there is none. */
  boolean answer(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    for (Fault fault : faults) {
      if (fault.method() != null && !fault.method().equalsIgnoreCase(method)) {
        continue;
      }
      if (!fault.path().matcher(path).matches()) {
        continue;
      }
      int left = fault.remaining().getAndDecrement();
      if (left <= 0) {
        faults.remove(fault);
        continue;
      }
      if (left == 1) {
        faults.remove(fault);
      }
      injected.incrementAndGet();
      HttpExchanges.readBody(exchange);
      fault.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
      HttpExchanges.sendJson(exchange, fault.status(), errorBody(fault.status()));
      return true;
    }
    return false;
  }

  int injected() {
    return injected.get();
  }

  void reset() {
    faults.clear();
    injected.set(0);
  }

  private static Map<String, Object> errorBody(int status) {
    String code = status == 429 ? "TOOMANYREQUESTS" : status >= 500 ? "UNAVAILABLE" : "UNKNOWN";
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    error.put("message", "injected by the Stevedore test harness (HTTP " + status + ")");
    error.put("detail", null);
    return Map.of("errors", List.of(error));
  }
}
