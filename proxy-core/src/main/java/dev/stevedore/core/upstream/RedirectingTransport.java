package dev.stevedore.core.upstream;

import dev.stevedore.core.metrics.CacheMetrics;
import dev.stevedore.core.metrics.UpstreamKind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Sends requests with our User-Agent and follows redirects by hand (the {@link HttpClient} never
 * does): at most {@link #MAX_REDIRECTS} hops, only where the {@link RedirectPolicy} lets the
 * upstream send us, a redirect's body never read, and a redirected request never carries the {@code
 * Authorization} header, wherever it points, because Docker Hub sends blobs to a CDN.
 */
final class RedirectingTransport {

  static final int MAX_REDIRECTS = 5;
  static final String USER_AGENT = "stevedore/0.1";
  private static final String AUTHORIZATION = "Authorization";

  private final Duration connectTimeout;
  private volatile HttpClient http;
  private final Duration requestTimeout;
  private final String upstream;
  private final CacheMetrics metrics;
  private final URI upstreamUrl;
  private final RedirectPolicy redirects;

  /**
   * @param connectTimeout of the HTTP client, built at the first request
   * @param upstreamUrl the configured upstream's URL: where redirects may lead is judged by it
   */
  RedirectingTransport(
      Duration connectTimeout,
      Duration requestTimeout,
      String upstream,
      CacheMetrics metrics,
      URI upstreamUrl,
      RedirectPolicy redirects) {
    HttpClientBuffers.preferLarge(); // now, before any other HTTP client loads the JDK's internals
    this.connectTimeout = connectTimeout;
    this.requestTimeout = requestTimeout;
    this.upstream = upstream;
    this.metrics = metrics;
    this.upstreamUrl = upstreamUrl;
    this.redirects = redirects;
  }

  /**
   * The HTTP client, built at the first request rather than at start-up: building one loads the
   * JDK's TLS stack and its trusted certificates and starts a selector thread, a tenth of a second
   * or more that {@code serve} need not spend before it answers its first client.
   */
  private HttpClient http() {
    HttpClient client = http;
    if (client == null) {
      synchronized (this) {
        client = http;
        if (client == null) {
          client = newHttpClient(connectTimeout);
          http = client;
        }
      }
    }
    return client;
  }

  private static HttpClient newHttpClient(Duration connectTimeout) {
    return HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /** A request to {@code uri} with our User-Agent and the time allowed until headers arrive. */
  HttpRequest.Builder newRequest(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(requestTimeout).header("User-Agent", USER_AGENT);
  }

  /**
   * Sends {@code request}, following redirects, and reads the final body as {@code plan} says. The
   * final status (0 when nothing answered) is reported under {@code kind}.
   */
  <T> CompletableFuture<Reply<T>> send(UpstreamKind kind, HttpRequest request, BodyPlan<T> plan) {
    return send(request, plan, 0)
        .whenComplete(
            (reply, error) ->
                metrics.upstreamRequest(upstream, kind, reply == null ? 0 : reply.status()));
  }

  /**
   * Like {@link #send(UpstreamKind, HttpRequest, BodyPlan)} for a request to an address the
   * upstream named itself (the token realm of its {@code WWW-Authenticate}): the address is checked
   * by the same {@link RedirectPolicy} as a redirect, so a hostile upstream cannot point us at the
   * cloud metadata service or at Stevedore itself.
   */
  <T> CompletableFuture<Reply<T>> sendWherePointed(
      UpstreamKind kind, HttpRequest request, BodyPlan<T> plan) {
    return redirects
        .check(upstream, upstreamUrl, request.uri())
        .thenCompose(allowed -> send(kind, request, plan));
  }

  private <T> CompletableFuture<Reply<T>> send(HttpRequest request, BodyPlan<T> plan, int hops) {
    return http()
        .sendAsync(request, plan.handler(requestTimeout))
        .thenCompose(response -> followOrFinish(request, response, plan, hops));
  }

  private <T> CompletableFuture<Reply<T>> followOrFinish(
      HttpRequest request, HttpResponse<BodyPlan.Part<T>> response, BodyPlan<T> plan, int hops) {
    int status = response.statusCode();
    if (!isRedirect(status)) {
      BodyPlan.Part<T> part = response.body();
      return CompletableFuture.completedFuture(
          new Reply<>(
              status, response.headers(), response.uri(), hops, part.body(), part.errorBody()));
    }
    if (hops >= MAX_REDIRECTS) {
      throw new UpstreamProtocolException("more than " + MAX_REDIRECTS + " redirects");
    }
    URI next = location(request.uri(), response.headers());
    return redirects
        .check(upstream, upstreamUrl, next)
        .thenCompose(allowed -> send(redirected(request, next, status), plan, hops + 1));
  }

  private static URI location(URI from, HttpHeaders headers) {
    Optional<String> location = headers.firstValue("Location");
    if (location.isEmpty() || location.get().isBlank()) {
      throw new UpstreamProtocolException("redirect without a Location header");
    }
    URI next;
    try {
      next = from.resolve(location.get().strip());
    } catch (IllegalArgumentException e) {
      throw new UpstreamProtocolException("redirect to a malformed Location");
    }
    String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || next.getHost() == null) {
      throw new UpstreamProtocolException("redirect to a non-HTTP Location");
    }
    return next;
  }

  /** The same request to {@code next}, without Authorization; 303 turns a GET-like into GET. */
  private static HttpRequest redirected(HttpRequest request, URI next, int status) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase(AUTHORIZATION))
            .uri(next);
    if (status == 303 && !request.method().equals("HEAD")) {
      builder.GET();
    }
    return builder.build();
  }
}
