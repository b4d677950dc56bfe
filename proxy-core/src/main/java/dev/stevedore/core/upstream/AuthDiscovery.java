package dev.stevedore.core.upstream;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.metrics.UpstreamKind;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out how an upstream authenticates by pinging {@code GET /v2/} once. A successful answer is
 * remembered; a failed ping is retried by the next caller. Concurrent callers share one ping.
 */
final class AuthDiscovery {

  private static final Logger log = LoggerFactory.getLogger(AuthDiscovery.class);

  private final UpstreamConfig upstream;
  private final RedirectingTransport transport;
  private final UpstreamErrors errors;
  private final BufferBudget buffers;
  private final AtomicReference<CompletableFuture<AuthMode>> known = new AtomicReference<>();

  AuthDiscovery(
      UpstreamConfig upstream,
      RedirectingTransport transport,
      UpstreamErrors errors,
      BufferBudget buffers) {
    this.upstream = upstream;
    this.transport = transport;
    this.errors = errors;
    this.buffers = buffers;
  }

  /** The upstream's auth mode, pinging it if not yet known. */
  CompletableFuture<AuthMode> mode() {
    while (true) {
      CompletableFuture<AuthMode> current = known.get();
      if (current != null && !current.isCompletedExceptionally()) {
        return current;
      }
      CompletableFuture<AuthMode> fresh = new CompletableFuture<>();
      if (known.compareAndSet(current, fresh)) {
        ping().whenComplete((mode, failure) -> complete(fresh, mode, failure));
        return fresh;
      }
    }
  }

  /** Forgets {@code stale} so the next call pings again (upstream changed its mind). */
  void forget(AuthMode stale) {
    CompletableFuture<AuthMode> current = known.get();
    if (current != null
        && current.isDone()
        && !current.isCompletedExceptionally()
        && stale.equals(current.join())) {
      known.compareAndSet(current, null);
    }
  }

  private static void complete(
      CompletableFuture<AuthMode> fresh, AuthMode mode, Throwable failure) {
    if (failure != null) {
      fresh.completeExceptionally(UpstreamErrors.unwrap(failure));
    } else {
      fresh.complete(mode);
    }
  }

  private CompletableFuture<AuthMode> ping() {
    Ping ping = new Ping();
    HttpRequest request = ping.request(upstream, transport).build();
    return ping.body()
        .withPlan(
            buffers,
            plan ->
                transport
                    .send(ping.kind(), request, plan)
                    .thenApply(reply -> ping.answer(reply, upstream.name(), errors)))
        .thenApply(
            mode -> {
              log.debug("upstream {} authenticates with {}", upstream.name(), mode);
              return mode;
            });
  }

  /**
   * {@code GET /v2/}: how the upstream authenticates. Its body is never read (it could be endless);
   * a 2xx means anonymous access, a 401 names the challenge to answer. It goes without a registry
   * token, so it has no scope.
   */
  record Ping() implements UpstreamEndpoint<Void, AuthMode> {

    @Override
    public UpstreamKind kind() {
      return UpstreamKind.PING;
    }

    @Override
    public UpstreamTarget target() {
      return new UpstreamTarget("/v2/", List.of(), Optional.empty(), "/v2/");
    }

    @Override
    public BodyHandling<Void> body() {
      return BodyHandling.headersThenHangUp();
    }

    @Override
    public ErrorCode notFound() {
      return ErrorCode.UNAVAILABLE;
    }

    @Override
    public boolean answers(int status) {
      return status >= 200 && status <= 299 || status == 401;
    }

    @Override
    public AuthMode read(Reply<Void> reply, String upstream) {
      if (reply.status() != 401) {
        return new AuthMode.Anonymous();
      }
      List<Challenge> challenges =
          WwwAuthenticate.parseAll(reply.headers().allValues("WWW-Authenticate"));
      return fromChallenges(challenges)
          .orElseThrow(
              () ->
                  new UpstreamProtocolException(
                      "401 on /v2/ without a usable Bearer or Basic challenge"));
    }
  }

  /** Bearer (with an http(s) realm) is preferred over Basic. */
  static Optional<AuthMode> fromChallenges(List<Challenge> challenges) {
    for (Challenge challenge : challenges) {
      Optional<String> realm = challenge.param("realm").filter(AuthDiscovery::isHttpUrl);
      if (challenge.isBearer() && realm.isPresent()) {
        return Optional.of(new AuthMode.Bearer(realm.get(), challenge.param("service").orElse("")));
      }
    }
    for (Challenge challenge : challenges) {
      if (challenge.isBasic()) {
        return Optional.of(new AuthMode.Basic());
      }
    }
    return Optional.empty();
  }

  private static boolean isHttpUrl(String text) {
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }
}
