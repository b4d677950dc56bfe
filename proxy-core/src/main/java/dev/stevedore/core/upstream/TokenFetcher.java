package dev.stevedore.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.json.Json;
import dev.stevedore.core.metrics.UpstreamKind;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a bearer token from a realm: {@code GET realm?service=…&scope=…}, with the configured
 * credentials as Basic authentication (to the realm only), else anonymously.
 */
final class TokenFetcher {

  static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
  static final Duration MAX_LIFETIME = Duration.ofDays(1);
  static final int MAX_RESPONSE_BYTES = 1024 * 1024;
  private static final Pattern HEADER_SAFE = Pattern.compile("[\\x21-\\x7e]+");
  private static final Logger log = LoggerFactory.getLogger(TokenFetcher.class);

  private final UpstreamConfig upstream;
  private final RedirectingTransport transport;
  private final Ticker ticker;
  private final UpstreamErrors errors;
  private final BufferBudget buffers;

  TokenFetcher(
      UpstreamConfig upstream,
      RedirectingTransport transport,
      Ticker ticker,
      UpstreamErrors errors,
      BufferBudget buffers) {
    this.upstream = upstream;
    this.transport = transport;
    this.ticker = ticker;
    this.errors = errors;
    this.buffers = buffers;
  }

  CompletableFuture<Token> fetch(TokenKey key) {
    TokenRequest endpoint = new TokenRequest(key, ticker);
    HttpRequest.Builder request = endpoint.request(upstream, transport);
    Optional<Credentials> credentials = upstream.credentials();
    credentials.ifPresent(c -> request.header("Authorization", c.basicAuthorization()));
    log.debug(
        "upstream {}: fetching {} token for {}",
        upstream.name(),
        credentials.isPresent() ? "an authenticated" : "an anonymous",
        key.scope());
    return endpoint
        .body()
        .withPlan(
            buffers,
            plan ->
                transport
                    .sendWherePointed(endpoint.kind(), request.build(), plan)
                    .thenApply(reply -> endpoint.answer(reply, upstream.name(), errors)));
  }

  /**
   * {@code GET <realm>?service=…&scope=…}: a bearer token for {@code key}, its lifetime read with
   * {@code ticker}. The realm is an address the upstream named, so it is sent where pointed (see
   * {@link RedirectingTransport#sendWherePointed}), with the configured credentials as Basic
   * authentication and no registry token (no scope).
   */
  record TokenRequest(TokenKey key, Ticker ticker) implements UpstreamEndpoint<CappedBytes, Token> {

    @Override
    public UpstreamKind kind() {
      return UpstreamKind.TOKEN;
    }

    @Override
    public UpstreamTarget target() {
      return new UpstreamTarget(
          tokenUri(key).toString(),
          List.of("application/json"),
          Optional.empty(),
          "a token for " + key.scope());
    }

    @Override
    public BodyHandling<CappedBytes> body() {
      return BodyHandling.buffered(MAX_RESPONSE_BYTES);
    }

    @Override
    public ErrorCode notFound() {
      return ErrorCode.UNAVAILABLE;
    }

    @Override
    public Token read(Reply<CappedBytes> reply, String upstream) {
      if (reply.body().truncated()) {
        throw new UpstreamProtocolException("token response larger than 1 MiB");
      }
      return parse(reply.body().bytes(), ticker);
    }
  }

  static URI tokenUri(TokenKey key) {
    StringBuilder query = new StringBuilder();
    if (!key.service().isEmpty()) {
      query.append("service=").append(encode(key.service())).append('&');
    }
    query.append("scope=").append(encode(key.scope()));
    String realm = key.realm();
    String separator = realm.indexOf('?') >= 0 ? "&" : "?";
    return URI.create(realm + separator + query);
  }

  static Token parse(byte[] body, Ticker ticker) {
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new UpstreamProtocolException("token response is not JSON");
    }
    if (json == null || !json.isObject()) {
      throw new UpstreamProtocolException("token response is not a JSON object");
    }
    String value = json.path("token").asText("");
    if (value.isEmpty()) {
      value = json.path("access_token").asText("");
    }
    if (value.isEmpty()) {
      throw new UpstreamProtocolException("token response has no token");
    }
    if (!HEADER_SAFE.matcher(value).matches()) {
      throw new UpstreamProtocolException("token response has a malformed token");
    }
    long seconds = json.path("expires_in").asLong(0);
    Duration lifetime =
        seconds <= 0
            ? DEFAULT_LIFETIME
            : Duration.ofSeconds(Math.min(seconds, MAX_LIFETIME.toSeconds()));
    return Token.expiringIn(value, lifetime, ticker);
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
