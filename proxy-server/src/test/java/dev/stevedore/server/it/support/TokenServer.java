package dev.stevedore.server.it.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Docker token service of the emulated upstream (think auth.docker.io), on 127.0.0.1.
 *
 * <p>{@code GET /token?service=S&scope=repository:NAME:pull,push} answers {@code {"token",
 * "access_token", "expires_in", "issued_at"}}. Anonymous callers get at most {@code pull}; callers
 * with the test account's Basic credentials get what they ask for; wrong credentials get 401. Every
 * request is recorded for assertions; {@link #mintToken} is not.
 */
public final class TokenServer implements AutoCloseable {
  public static final String ISSUER = "stevedore-test-issuer";
  public static final String SERVICE = "stevedore-test-registry";
  public static final String ANONYMOUS = "anonymous";
  public static final String DEFAULT_USERNAME = "tester";
  public static final String DEFAULT_PASSWORD = "s3cret";

  /** docker/distribution 2.8 accepts a token until 60 s after its {@code exp} (and before nbf). */
  public static final int REGISTRY_LEEWAY_SECONDS = 60;

  /** One {@code access} claim entry. */
  public record Access(String type, String name, List<String> actions) {}

  /**
   * One recorded request: who asked ({@link #ANONYMOUS} or the Basic username, even a wrong one),
   * for which service and scopes, and the HTTP status answered.
   */
  public record TokenRequest(String identity, String service, List<String> scopes, int status) {}

  private final JwtSigner signer;
  private final String username;
  private final String password;
  private final HttpServer server;
  private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();
  private volatile int expiresInSeconds = 300;
  private volatile boolean anonymousPull = true;
  private volatile boolean compensateRegistryLeeway = false;

  private TokenServer(TestPki pki, String username, String password) {
    this.signer = new JwtSigner(pki);
    this.username = username;
    this.password = password;
    this.server = HttpExchanges.startServer("127.0.0.1", "token-server", this::handle);
  }

  /**
   * Starts a token server with the account {@value #DEFAULT_USERNAME}/{@value #DEFAULT_PASSWORD}.
   */
  public static TokenServer start(TestPki pki) {
    return start(pki, DEFAULT_USERNAME, DEFAULT_PASSWORD);
  }

  public static TokenServer start(TestPki pki, String username, String password) {
    return new TokenServer(pki, username, password);
  }

  /** The realm to configure in the registry: {@code http://127.0.0.1:PORT/token}. */
  public URI realm() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
  }

  public String username() {
    return username;
  }

  public String password() {
    return password;
  }

  /** {@code user:password}, the form skopeo's {@code --src-creds} takes. */
  public String credentials() {
    return username + ":" + password;
  }

  /** Lifetime of the tokens handed out from now on (default 300 s). */
  public void setExpiresInSeconds(int seconds) {
    this.expiresInSeconds = seconds;
  }

  /**
   * If true, the {@code exp} claim is backdated by {@value #REGISTRY_LEEWAY_SECONDS} s so that the
   * registry starts rejecting a token exactly {@code expires_in} seconds after issue (default
   * false: {@code exp = iat + expires_in}, and the registry rejects a minute later).
   */
  public void setCompensateRegistryLeeway(boolean compensate) {
    this.compensateRegistryLeeway = compensate;
  }

  /** Whether anonymous callers may pull (default true); if false they get no access at all. */
  public void setAnonymousPull(boolean allowed) {
    this.anonymousPull = allowed;
  }

  /** A token for the harness's own use (e.g. pushing), not recorded as a request. */
  public String mintToken(String repository, String... actions) {
    return jwt(
        "stevedore-test-harness",
        SERVICE,
        List.of(new Access("repository", repository, List.of(actions))),
        Instant.now());
  }

  /** Number of requests to {@code /token} since start or the last {@link #reset()}. */
  public int requestCount() {
    return requests.size();
  }

  /** The identity of each request in order: {@link #ANONYMOUS} or the Basic username. */
  public List<String> identities() {
    return requests.stream().map(TokenRequest::identity).toList();
  }

  public List<TokenRequest> requests() {
    return List.copyOf(requests);
  }

  public void reset() {
    requests.clear();
  }

  @Override
  public void close() {
    HttpExchanges.stopServer(server);
  }

  private void handle(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestURI().getPath().equals("/token")) {
      HttpExchanges.sendText(exchange, 404, "not found");
      return;
    }
    if (!exchange.getRequestMethod().equals("GET")) {
      exchange.getResponseHeaders().set("Allow", "GET");
      HttpExchanges.sendText(exchange, 405, "only GET /token is implemented");
      return;
    }
    Map<String, List<String>> query =
        HttpExchanges.queryParameters(exchange.getRequestURI().getRawQuery());
    String service = query.getOrDefault("service", List.of("")).get(0);
    List<String> scopes =
        query.getOrDefault("scope", List.of()).stream()
            .flatMap(scope -> Arrays.stream(scope.split(" ")))
            .filter(scope -> !scope.isBlank())
            .toList();

    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    String identity = ANONYMOUS;
    boolean authenticated = false;
    if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      String[] userAndPassword = decodeBasic(authorization.substring(6).trim());
      identity = userAndPassword[0];
      if (!userAndPassword[0].equals(username) || !userAndPassword[1].equals(password)) {
        requests.add(new TokenRequest(identity, service, scopes, 401));
        exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"" + realm() + "\"");
        HttpExchanges.sendJson(exchange, 401, Map.of("details", "incorrect username or password"));
        return;
      }
      authenticated = true;
    }

    List<Access> access = new ArrayList<>();
    for (String scope : scopes) {
      Access requested = parseScope(scope);
      if (requested == null) {
        continue;
      }
      List<String> granted =
          authenticated
              ? requested.actions()
              : requested.actions().stream()
                  .filter(action -> anonymousPull && action.equals("pull"))
                  .toList();
      if (!granted.isEmpty()) {
        access.add(new Access(requested.type(), requested.name(), granted));
      }
    }

    Instant now = Instant.now();
    String token = jwt(identity.equals(ANONYMOUS) ? "" : identity, service, access, now);
    requests.add(new TokenRequest(identity, service, scopes, 200));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("token", token);
    body.put("access_token", token);
    body.put("expires_in", expiresInSeconds);
    body.put("issued_at", now.toString());
    HttpExchanges.sendJson(exchange, 200, body);
  }

  private String jwt(String subject, String audience, List<Access> access, Instant now) {
    long issuedAt = now.getEpochSecond();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", ISSUER);
    claims.put("sub", subject);
    claims.put("aud", audience);
    int leeway = compensateRegistryLeeway ? REGISTRY_LEEWAY_SECONDS : 0;
    claims.put("exp", issuedAt + expiresInSeconds - leeway);
    claims.put("nbf", issuedAt - 1);
    claims.put("iat", issuedAt);
    claims.put("jti", UUID.randomUUID().toString());
    claims.put(
        "access",
        access.stream()
            .map(a -> Map.of("type", a.type(), "name", a.name(), "actions", a.actions()))
            .toList());
    return signer.sign(claims);
  }

  /** {@code type:name:actions}; the name may itself hold colons (a registry host with port). */
  private static Access parseScope(String scope) {
    int first = scope.indexOf(':');
    int last = scope.lastIndexOf(':');
    if (first < 0 || last == first) {
      return null;
    }
    List<String> actions =
        Arrays.stream(scope.substring(last + 1).split(","))
            .map(String::trim)
            .filter(action -> !action.isEmpty())
            .distinct()
            .toList();
    return new Access(scope.substring(0, first), scope.substring(first + 1, last), actions);
  }

  private static String[] decodeBasic(String encoded) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return new String[] {"<malformed basic credentials>", ""};
    }
    int colon = decoded.indexOf(':');
    return colon < 0
        ? new String[] {decoded, ""}
        : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
  }
}
