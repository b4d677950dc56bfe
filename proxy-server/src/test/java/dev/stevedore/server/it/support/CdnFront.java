package dev.stevedore.server.it.support;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The registry as Docker Hub presents it: a reverse proxy in front of {@link RegistryProcess} on
 * 127.0.0.1 that answers blob downloads with {@code 307} to a "CDN" on another host, 127.0.0.2.
 *
 * <p>The front passes every request through (method, path, query, headers incl. Authorization and
 * Accept; status, headers and body back), except a {@code GET /v2/NAME/blobs/DIGEST} the registry
 * would answer 200: that becomes {@code 307 Location:
 * http://127.0.0.2:PORT/cdn/NAME/blobs/DIGEST?expires=EPOCH}. The CDN refuses (403) and records any
 * request that carries an {@code Authorization} header, since a client must not leak its registry
 * token to another host; otherwise it fetches the blob from the registry itself and streams it
 * back, honouring a {@code Range} header.
 *
 * <p>Canned failures (429 with Retry-After, 503, ...) can be queued with {@link #failNext}. The
 * front's public port answers a TLS ClientHello with a plain-HTTP 400 (see {@link
 * TlsRejectingPort}) so clients that probe HTTPS first fall back to HTTP without delay.
 */
public final class CdnFront implements AutoCloseable {
  public static final String FRONT_HOST = "127.0.0.1";
  public static final String CDN_HOST = "127.0.0.2";

  private static final Pattern BLOB_PATH = Pattern.compile("/v2/(.+)/blobs/(sha256:[0-9a-f]{64})");
  private static final Pattern MANIFEST_PATH = Pattern.compile("/v2/(.+)/manifests/([^/]+)");
  private static final Pattern CDN_PATH = Pattern.compile("/cdn/(.+)/blobs/(sha256:[0-9a-f]{64})");

  /** Never forwarded either way: hop-by-hop, or computed by the JDK client/server themselves. */
  private static final Set<String> UNFORWARDED_HEADERS =
      Set.of(
          "host",
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "expect",
          "content-length",
          "date",
          "http2-settings");

  private final URI registry;
  private final TokenServer tokens;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final HttpServer front;
  private final TlsRejectingPort frontPort;
  private final HttpServer cdn;
  private final FaultInjector faults = new FaultInjector();
  private final CdnStreamFaults streamFaults = new CdnStreamFaults();

  private final AtomicInteger manifestGets = new AtomicInteger();
  private final AtomicInteger manifestHeads = new AtomicInteger();
  private final AtomicInteger blobRedirects = new AtomicInteger();
  private final AtomicInteger cdnRequests = new AtomicInteger();
  private final AtomicLong cdnBytes = new AtomicLong();
  private final List<String> authorizationViolations = new CopyOnWriteArrayList<>();
  private final List<String> requestLog = new CopyOnWriteArrayList<>();
  private volatile boolean redirectBlobs = true;
  private volatile Duration cdnUrlLifetime = Duration.ofMinutes(10);

  private CdnFront(URI registry, TokenServer tokens) {
    this.registry = registry;
    this.tokens = tokens;
    this.front = HttpExchanges.startServer(FRONT_HOST, "cdn-front", this::handleFront);
    this.frontPort = new TlsRejectingPort(FRONT_HOST, front.getAddress(), "cdn-front");
    try {
      this.cdn = HttpExchanges.startServer(CDN_HOST, "cdn", this::handleCdn);
    } catch (RuntimeException e) {
      frontPort.close();
      HttpExchanges.stopServer(front);
      throw new IllegalStateException(
          "cannot listen on " + CDN_HOST + " (Linux routes all of 127.0.0.0/8 to lo)", e);
    }
  }

  /**
   * Starts the front and the CDN.
   *
   * @param registry the registry to proxy, e.g. {@link RegistryProcess#uri()}
   * @param tokens mints the pull tokens the CDN uses to fetch blobs from the registry
   */
  public static CdnFront start(URI registry, TokenServer tokens) {
    return new CdnFront(registry, tokens);
  }

  /** The registry address clients (and Stevedore) should use: {@code http://127.0.0.1:PORT}. */
  public URI uri() {
    return URI.create("http://" + hostAndPort());
  }

  /** {@code 127.0.0.1:PORT}, the registry host for image references like {@code HOST/name:tag}. */
  public String hostAndPort() {
    return FRONT_HOST + ":" + frontPort.port();
  }

  /** The CDN's address, {@code http://127.0.0.2:PORT}. */
  public URI cdnUri() {
    return URI.create("http://" + CDN_HOST + ":" + cdn.getAddress().getPort());
  }

  /** Whether blob GETs are redirected to the CDN (default) or simply proxied. */
  public void setRedirectBlobs(boolean redirect) {
    this.redirectBlobs = redirect;
  }

  /** How long a CDN URL stays valid (default 10 min); the CDN answers 403 once it has expired. */
  public void setCdnUrlLifetime(Duration lifetime) {
    this.cdnUrlLifetime = lifetime;
  }

  /**
   * The next request (to the front or the CDN, any path) gets {@code status} and {@code headers}.
   */
  public void failNext(int status, Map<String, String> headers) {
    faults.add(".*", 1, status, headers);
  }

  /** The next request whose path matches {@code pathRegex} gets {@code status} and headers. */
  public void failNext(String pathRegex, int status, Map<String, String> headers) {
    faults.add(pathRegex, 1, status, headers);
  }

  /** The next {@code times} requests whose path matches get {@code status} and headers. */
  public void failTimes(String pathRegex, int times, int status, Map<String, String> headers) {
    faults.add(pathRegex, times, status, headers);
  }

  /**
   * The next {@code times} requests with {@code method} (e.g. {@code "GET"}) whose path matches get
   * {@code status} and headers; requests with other methods pass through.
   */
  public void failTimes(
      String method, String pathRegex, int times, int status, Map<String, String> headers) {
    faults.add(method, pathRegex, times, status, headers);
  }

  /** Throttling, byte flips and stalls in the blob bodies the CDN streams (all off by default). */
  public CdnStreamFaults streamFaults() {
    return streamFaults;
  }

  /** How many requests were answered by an injected failure. */
  public int injectedFailures() {
    return faults.injected();
  }

  /** Manifest GETs that reached the front (including those answered by an injected failure). */
  public int manifestGets() {
    return manifestGets.get();
  }

  /** Manifest HEADs that reached the front (including those answered by an injected failure). */
  public int manifestHeads() {
    return manifestHeads.get();
  }

  /** Blob GETs answered with 307 to the CDN. */
  public int blobRedirects() {
    return blobRedirects.get();
  }

  public int cdnRequests() {
    return cdnRequests.get();
  }

  /** Body bytes the CDN has served. */
  public long cdnBytes() {
    return cdnBytes.get();
  }

  /** One line per CDN request that carried an Authorization header (it got 403). */
  public List<String> authorizationViolations() {
    return List.copyOf(authorizationViolations);
  }

  /** {@code "FRONT GET /v2/... -> 200"} / {@code "CDN GET /cdn/... -> 200"}, in order. */
  public List<String> requestLog() {
    return List.copyOf(requestLog);
  }

  /** Clears the counters, the logs, pending injected failures and stream faults. */
  public void reset() {
    manifestGets.set(0);
    manifestHeads.set(0);
    blobRedirects.set(0);
    cdnRequests.set(0);
    cdnBytes.set(0);
    authorizationViolations.clear();
    requestLog.clear();
    faults.reset();
    streamFaults.reset();
  }

  @Override
  public void close() {
    streamFaults.reset();
    frontPort.close();
    HttpExchanges.stopServer(front);
    HttpExchanges.stopServer(cdn);
  }

  private void handleFront(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    if (MANIFEST_PATH.matcher(path).matches()) {
      if (method.equals("GET")) {
        manifestGets.incrementAndGet();
      } else if (method.equals("HEAD")) {
        manifestHeads.incrementAndGet();
      }
    }
    if (faults.answer(exchange)) {
      log("FRONT", exchange, "injected");
      return;
    }
    Matcher blob = BLOB_PATH.matcher(path);
    if (redirectBlobs && method.equals("GET") && blob.matches() && blobExists(exchange)) {
      blobRedirects.incrementAndGet();
      long expires = Instant.now().plus(cdnUrlLifetime).getEpochSecond();
      String location =
          cdnUri() + "/cdn/" + blob.group(1) + "/blobs/" + blob.group(2) + "?expires=" + expires;
      exchange.getResponseHeaders().set("Location", location);
      HttpExchanges.sendBytes(exchange, 307, new byte[0]);
      log("FRONT", exchange, "307");
      return;
    }
    proxy(exchange);
  }

  /** Asks the registry with the client's own headers whether a GET would answer 200. */
  private boolean blobExists(HttpExchange exchange) throws IOException {
    HttpRequest.Builder head = upstreamRequest(exchange).method("HEAD", noBody());
    HttpResponse<Void> response = send(head.build(), HttpResponse.BodyHandlers.discarding());
    return response != null && response.statusCode() == 200;
  }

  private void proxy(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    byte[] body = HttpExchanges.readBody(exchange);
    HttpRequest request =
        upstreamRequest(exchange)
            .method(
                method, body.length == 0 ? noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    HttpResponse<InputStream> response = send(request, HttpResponse.BodyHandlers.ofInputStream());
    if (response == null) {
      HttpExchanges.sendText(exchange, 502, "registry " + registry + " is not reachable");
      log("FRONT", exchange, "502");
      return;
    }
    copyResponseHeaders(response, exchange.getResponseHeaders());
    streamBack(exchange, response, null);
    log("FRONT", exchange, Integer.toString(response.statusCode()));
  }

  private HttpRequest.Builder upstreamRequest(HttpExchange exchange) {
    URI incoming = exchange.getRequestURI();
    String target =
        registry
            + incoming.getRawPath()
            + (incoming.getRawQuery() == null ? "" : "?" + incoming.getRawQuery());
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(60));
    for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
      if (UNFORWARDED_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT))) {
        continue;
      }
      for (String value : header.getValue()) {
        try {
          builder.header(header.getKey(), value);
        } catch (IllegalArgumentException restrictedByTheJdkClient) {
          // skip
        }
      }
    }
    // so that Location headers the registry builds (uploads) point back at the front
    builder.setHeader("X-Forwarded-Host", hostAndPort());
    builder.setHeader("X-Forwarded-Proto", "http");
    return builder;
  }

  private void handleCdn(HttpExchange exchange) throws IOException {
    cdnRequests.incrementAndGet();
    String method = exchange.getRequestMethod();
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization != null) {
      authorizationViolations.add(
          method
              + " "
              + exchange.getRequestURI()
              + " carried Authorization: "
              + abbreviate(authorization));
      HttpExchanges.sendText(exchange, 403, "the CDN does not accept registry credentials");
      log("CDN", exchange, "403 (Authorization)");
      return;
    }
    if (faults.answer(exchange)) {
      log("CDN", exchange, "injected");
      return;
    }
    Matcher blob = CDN_PATH.matcher(exchange.getRequestURI().getPath());
    if (!blob.matches() || !(method.equals("GET") || method.equals("HEAD"))) {
      HttpExchanges.sendText(exchange, 404, "no such CDN object");
      log("CDN", exchange, "404");
      return;
    }
    List<String> expires =
        HttpExchanges.queryParameters(exchange.getRequestURI().getRawQuery())
            .getOrDefault("expires", List.of());
    if (expires.isEmpty() || Long.parseLong(expires.get(0)) < Instant.now().getEpochSecond()) {
      HttpExchanges.sendText(exchange, 403, "Request has expired");
      log("CDN", exchange, "403 (expired)");
      return;
    }

    String name = blob.group(1);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(registry + "/v2/" + name + "/blobs/" + blob.group(2)))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + tokens.mintToken(name, "pull"))
            .method(method, noBody());
    String range = exchange.getRequestHeaders().getFirst("Range");
    if (range != null) {
      request.header("Range", range);
    }
    HttpResponse<InputStream> response =
        send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    if (response == null) {
      HttpExchanges.sendText(exchange, 502, "origin " + registry + " is not reachable");
      log("CDN", exchange, "502");
      return;
    }
    Headers headers = exchange.getResponseHeaders();
    for (String header : List.of("Content-Type", "Content-Range", "Accept-Ranges", "ETag")) {
      response.headers().firstValue(header).ifPresent(value -> headers.set(header, value));
    }
    exchange.setStreams(null, streamFaults.wrap(blob.group(2), range, exchange.getResponseBody()));
    streamBack(exchange, response, cdnBytes);
    log("CDN", exchange, Integer.toString(response.statusCode()));
  }

  /**
   * Sends status and body. HEAD and bodiless statuses keep the upstream Content-Length header but
   * send no body ({@code sendResponseHeaders(code, -1)}).
   */
  private static void streamBack(
      HttpExchange exchange, HttpResponse<InputStream> response, AtomicLong byteCounter)
      throws IOException {
    int status = response.statusCode();
    OptionalLong length = response.headers().firstValueAsLong("Content-Length");
    try (InputStream body = response.body()) {
      boolean bodiless = HttpExchanges.isHead(exchange) || status == 204 || status == 304;
      if (bodiless || (length.isPresent() && length.getAsLong() == 0)) {
        if (status != 204 && length.isPresent()) {
          exchange.getResponseHeaders().set("Content-Length", Long.toString(length.getAsLong()));
        }
        exchange.sendResponseHeaders(status, -1);
        return;
      }
      // a known length is sent as Content-Length; 0 means "chunked" to the JDK server
      exchange.sendResponseHeaders(status, length.orElse(0));
      OutputStream out = exchange.getResponseBody();
      byte[] buffer = new byte[64 * 1024];
      for (int read; (read = body.read(buffer)) >= 0; ) {
        out.write(buffer, 0, read);
        if (byteCounter != null) {
          byteCounter.addAndGet(read);
        }
      }
    }
  }

  private static void copyResponseHeaders(HttpResponse<?> response, Headers target) {
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              if (!name.startsWith(":")
                  && !UNFORWARDED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                target.put(name, List.copyOf(values));
              }
            });
  }

  /**
   * Sends; null if the registry cannot be reached. GET and HEAD are tried twice, since a pooled
   * connection may be stale after a registry restart.
   */
  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    boolean idempotent = request.method().equals("GET") || request.method().equals("HEAD");
    for (int attempt = 1; ; attempt++) {
      try {
        return http.send(request, handler);
      } catch (IOException e) {
        if (!idempotent || attempt >= 2) {
          return null;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  private void log(String server, HttpExchange exchange, String outcome) {
    requestLog.add(
        server
            + " "
            + exchange.getRequestMethod()
            + " "
            + exchange.getRequestURI()
            + " -> "
            + outcome);
  }

  private static String abbreviate(String authorization) {
    return authorization.length() <= 24 ? authorization : authorization.substring(0, 24) + "...";
  }

  private static HttpRequest.BodyPublisher noBody() {
    return HttpRequest.BodyPublishers.noBody();
  }
}
