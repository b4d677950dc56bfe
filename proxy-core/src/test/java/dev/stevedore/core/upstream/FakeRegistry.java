package dev.stevedore.core.upstream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mini registry on loopback: {@code /v2/} ping, token auth (realm {@code /token} on the same
 * server), Basic auth or none, manifests, tags, and blobs that redirect to a second server on
 * another loopback address (the "CDN"), which records any Authorization header it sees.
 */
final class FakeRegistry implements AutoCloseable {

  enum Auth {
    ANONYMOUS,
    BEARER,
    BASIC
  }

  /** One request a server saw. */
  record Seen(
      String server,
      String method,
      String path,
      String authorization,
      String userAgent,
      String accept) {}

  record Manifest(byte[] body, String mediaType, String digestHeader) {}

  record Scripted(int status, Map<String, String> headers, String body) {}

  private static final Pattern API = Pattern.compile("/v2/(.+)/(manifests|blobs|tags)/(.+)");

  final Auth auth;
  final Optional<Credentials> credentials;
  final List<Seen> seen = new CopyOnWriteArrayList<>();
  final Map<String, Manifest> manifests = new ConcurrentHashMap<>();
  final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  final Map<String, Scripted> scripted = new ConcurrentHashMap<>();
  final Set<String> validTokens = ConcurrentHashMap.newKeySet();
  final Set<String> deniedRepositories = ConcurrentHashMap.newKeySet();
  final AtomicInteger tokenRequests = new AtomicInteger();
  final AtomicInteger pings = new AtomicInteger();
  final List<String> cdnViolations = new CopyOnWriteArrayList<>();
  final CountDownLatch release = new CountDownLatch(1);
  volatile boolean redirectBlobs = true;
  volatile long tokenExpiresIn = 300;
  volatile boolean useAccessTokenField;
  volatile int failPings;

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final HttpServer registry;
  private final HttpServer cdn;

  FakeRegistry(Auth auth, Optional<Credentials> credentials) throws IOException {
    this.auth = auth;
    this.credentials = credentials;
    this.registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    this.cdn = createCdnServer();
    registry.createContext("/", this::handleRegistry);
    cdn.createContext("/", this::handleCdn);
    registry.setExecutor(executor);
    cdn.setExecutor(executor);
    registry.start();
    cdn.start();
  }

  private static HttpServer createCdnServer() throws IOException {
    try {
      return HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
    } catch (BindException e) {
      return HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    }
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + registry.getAddress().getPort());
  }

  String name() {
    return "127.0.0.1:" + registry.getAddress().getPort();
  }

  String cdnHost() {
    return cdn.getAddress().getAddress().getHostAddress() + ":" + cdn.getAddress().getPort();
  }

  Digest putManifest(String repository, String tag, String json, String mediaType) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256(body);
    Manifest manifest = new Manifest(body, mediaType, digest.toString());
    manifests.put(repository + ":" + tag, manifest);
    manifests.put(repository + ":" + digest, manifest);
    return digest;
  }

  Digest putBlob(byte[] content) {
    Digest digest = Digest.sha256(content);
    blobs.put(digest.toString(), content);
    return digest;
  }

  List<Seen> seenBy(String server) {
    return seen.stream().filter(s -> s.server().equals(server)).toList();
  }

  long count(String server, String method, String pathPart) {
    return seenBy(server).stream()
        .filter(s -> s.method().equals(method) && s.path().contains(pathPart))
        .count();
  }

  @Override
  public void close() {
    release.countDown();
    registry.stop(0);
    cdn.stop(0);
    executor.shutdownNow();
  }

  private void handleRegistry(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      seen.add(seen("registry", exchange));
      if (path.equals("/token")) {
        handleToken(exchange);
        return;
      }
      Scripted script = scripted.get(path);
      if (script != null) {
        respond(exchange, script);
        return;
      }
      if (path.equals("/v2/")) {
        pings.incrementAndGet();
        if (failPings > 0) {
          failPings--;
          send(exchange, 503, "{}", "application/json");
          return;
        }
      }
      if (!authorized(exchange, path)) {
        challenge(exchange);
        return;
      }
      if (path.equals("/v2/")) {
        send(exchange, 200, "{}", "application/json");
        return;
      }
      Matcher api = API.matcher(path);
      if (!api.matches()) {
        send(exchange, 404, ociError("NOT_FOUND", "no route"), "application/json");
        return;
      }
      switch (api.group(2)) {
        case "manifests" -> serveManifest(exchange, api.group(1), api.group(3));
        case "blobs" -> serveBlobOrRedirect(exchange, api.group(3));
        default -> serveTags(exchange, api.group(1));
      }
    }
  }

  private boolean authorized(HttpExchange exchange, String path) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    Matcher api = API.matcher(path);
    if (api.matches() && deniedRepositories.contains(api.group(1))) {
      return false;
    }
    return switch (auth) {
      case ANONYMOUS -> true;
      case BASIC -> credentials.map(Credentials::basicAuthorization).orElse("").equals(header);
      case BEARER ->
          header != null
              && header.startsWith("Bearer ")
              && validTokens.contains(header.substring(7));
    };
  }

  private void challenge(HttpExchange exchange) throws IOException {
    String value =
        switch (auth) {
          case BASIC -> "Basic realm=\"fake\"";
          default -> "Bearer realm=\"" + url() + "/token\",service=\"fake-registry\",scope=\"x\"";
        };
    exchange.getResponseHeaders().add("WWW-Authenticate", value);
    send(exchange, 401, ociError("UNAUTHORIZED", "authentication required"), "application/json");
  }

  private void handleToken(HttpExchange exchange) throws IOException {
    tokenRequests.incrementAndGet();
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    String expected = credentials.map(Credentials::basicAuthorization).orElse(null);
    if (expected != null && !expected.equals(header)) {
      send(exchange, 401, "{\"details\":\"bad credentials\"}", "application/json");
      return;
    }
    String query = exchange.getRequestURI().getQuery();
    if (query == null || !query.contains("service=fake-registry") || !query.contains("scope=")) {
      send(exchange, 400, "{\"details\":\"missing service or scope\"}", "application/json");
      return;
    }
    String token = "tok-" + tokenRequests.get() + "-" + (expected == null ? "anon" : "user");
    validTokens.add(token);
    String field = useAccessTokenField ? "access_token" : "token";
    send(
        exchange,
        200,
        "{\""
            + field
            + "\":\""
            + token
            + "\",\"expires_in\":"
            + tokenExpiresIn
            + ",\"issued_at\":\"2024-01-01T00:00:00Z\"}",
        "application/json");
  }

  private void serveManifest(HttpExchange exchange, String repository, String reference)
      throws IOException {
    Manifest manifest = manifests.get(repository + ":" + reference);
    if (manifest == null) {
      send(exchange, 404, ociError("MANIFEST_UNKNOWN", "manifest unknown"), "application/json");
      return;
    }
    exchange.getResponseHeaders().add("Docker-Content-Digest", manifest.digestHeader());
    exchange.getResponseHeaders().add("ratelimit-remaining", "99;w=21600");
    send(exchange, 200, manifest.body(), manifest.mediaType() + "; charset=utf-8");
  }

  private void serveBlobOrRedirect(HttpExchange exchange, String digest) throws IOException {
    if (!blobs.containsKey(digest)) {
      send(exchange, 404, ociError("BLOB_UNKNOWN", "blob unknown"), "application/json");
      return;
    }
    if (!redirectBlobs) {
      send(exchange, 200, blobs.get(digest), "application/octet-stream");
      return;
    }
    exchange
        .getResponseHeaders()
        .add("Location", "http://" + cdnHost() + "/cdn/" + digest + "?sig=1");
    exchange.sendResponseHeaders(307, -1);
  }

  private void serveTags(HttpExchange exchange, String repository) throws IOException {
    exchange
        .getResponseHeaders()
        .add("Link", "</v2/" + repository + "/tags/list?last=b&n=2>; rel=\"next\"");
    String query = String.valueOf(exchange.getRequestURI().getRawQuery());
    send(
        exchange,
        200,
        "{\"name\":\"" + repository + "\",\"tags\":[\"a\",\"b\"],\"query\":\"" + query + "\"}",
        "application/json");
  }

  private void handleCdn(HttpExchange exchange) throws IOException {
    try (exchange) {
      seen.add(seen("cdn", exchange));
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (authorization != null) {
        cdnViolations.add(authorization);
        send(exchange, 500, "Authorization header leaked to the CDN", "text/plain");
        return;
      }
      String path = exchange.getRequestURI().getPath();
      byte[] blob = blobs.get(path.substring("/cdn/".length()));
      if (blob == null) {
        send(exchange, 404, "no such object", "text/plain");
        return;
      }
      send(exchange, 200, blob, "application/octet-stream");
    }
  }

  /** Status 0: never answer; status -1: send headers and part of the body, then stall. */
  private void respond(HttpExchange exchange, Scripted script) throws IOException {
    if (script.status() == -1) {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, 1000);
      exchange.getResponseBody().write("{\"partial\":".getBytes(StandardCharsets.UTF_8));
      exchange.getResponseBody().flush();
    }
    if (script.status() <= 0) {
      try {
        release.await(); // hang until the test ends
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    script.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
    send(exchange, script.status(), script.body(), "application/json");
  }

  private static Seen seen(String server, HttpExchange exchange) {
    return new Seen(
        server,
        exchange.getRequestMethod(),
        exchange.getRequestURI().getPath(),
        exchange.getRequestHeaders().getFirst("Authorization"),
        exchange.getRequestHeaders().getFirst("User-Agent"),
        exchange.getRequestHeaders().getFirst("Accept"));
  }

  static String ociError(String code, String message) {
    return "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}";
  }

  private static void send(HttpExchange exchange, int status, String body, String type)
      throws IOException {
    send(exchange, status, body.getBytes(StandardCharsets.UTF_8), type);
  }

  private static void send(HttpExchange exchange, int status, byte[] body, String type)
      throws IOException {
    drain(exchange.getRequestBody());
    exchange.getResponseHeaders().set("Content-Type", type);
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.getResponseHeaders().set("Content-Length", Long.toString(body.length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static void drain(InputStream in) throws IOException {
    in.readAllBytes();
  }
}
