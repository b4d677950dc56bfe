package dev.stevedore.core.upstream;

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

  private final String upstream;
  private final URI pingUri;
  private final RedirectingTransport transport;
  private final UpstreamErrors errors;
  private final BufferBudget buffers;
  private final AtomicReference<CompletableFuture<AuthMode>> known = new AtomicReference<>();

  AuthDiscovery(
      String upstream,
      URI pingUri,
      RedirectingTransport transport,
      UpstreamErrors errors,
      BufferBudget buffers) {
    this.buffers = buffers;
    this.upstream = upstream;
    this.pingUri = pingUri;
    this.transport = transport;
    this.errors = errors;
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
    HttpRequest request = transport.newRequest(pingUri).GET().build();
    BodyPlan<Void> plan = BodyPlan.headersThenHangUp(buffers);
    return transport
        .send(UpstreamKind.PING, request, plan)
        .thenApply(
            reply -> {
              AuthMode mode = modeFrom(reply);
              log.debug("upstream {} authenticates with {}", upstream, mode);
              return mode;
            })
        .whenComplete((mode, failure) -> plan.release());
  }

  private AuthMode modeFrom(Reply<Void> reply) {
    if (reply.status() >= 200 && reply.status() <= 299) {
      return new AuthMode.Anonymous();
    }
    if (reply.status() != 401) {
      throw errors.forStatus(UpstreamErrors.Subject.PING, "/v2/", reply);
    }
    List<Challenge> challenges =
        WwwAuthenticate.parseAll(reply.headers().allValues("WWW-Authenticate"));
    return fromChallenges(challenges)
        .orElseThrow(
            () ->
                new UpstreamProtocolException(
                    "401 on /v2/ without a usable Bearer or Basic challenge"));
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
