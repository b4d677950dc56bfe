package dev.stevedore.core.upstream;

import dev.stevedore.core.metrics.UpstreamKind;
import dev.stevedore.core.model.RepositoryName;
import java.net.http.HttpRequest;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a registry request the way the upstream wants to be authenticated: nothing, Basic
 * credentials, or a cached bearer token for {@code repository:<name>:pull}. When the registry
 * rejects a token that came from the cache, the token is dropped and the request retried once with
 * a fresh one.
 */
final class AuthorizingSender {

  private static final Logger log = LoggerFactory.getLogger(AuthorizingSender.class);

  private final String upstream;
  private final AuthDiscovery discovery;
  private final TokenCache tokens;
  private final TokenFetcher fetcher;
  private final RedirectingTransport transport;
  private final Optional<Credentials> credentials;

  AuthorizingSender(
      String upstream,
      AuthDiscovery discovery,
      TokenCache tokens,
      TokenFetcher fetcher,
      RedirectingTransport transport,
      Optional<Credentials> credentials) {
    this.upstream = upstream;
    this.discovery = discovery;
    this.tokens = tokens;
    this.fetcher = fetcher;
    this.transport = transport;
    this.credentials = credentials;
  }

  <T> CompletableFuture<Reply<T>> send(
      UpstreamKind kind, RepositoryName repository, HttpRequest request, BodyPlan<T> plan) {
    return discovery
        .mode()
        .thenCompose(
            mode -> {
              if (mode instanceof AuthMode.Bearer bearer) {
                return sendWithToken(kind, repository, request, plan, bearer);
              }
              if (mode instanceof AuthMode.Basic) {
                return transport.send(kind, withBasic(request), plan);
              }
              return transport
                  .send(kind, request, plan)
                  .thenApply(reply -> noteRejection(mode, reply));
            });
  }

  private <T> CompletableFuture<Reply<T>> sendWithToken(
      UpstreamKind kind,
      RepositoryName repository,
      HttpRequest request,
      BodyPlan<T> plan,
      AuthMode.Bearer bearer) {
    TokenKey key = TokenKey.pull(bearer.realm(), bearer.service(), repository.value());
    AtomicBoolean fetchedForThisCall = new AtomicBoolean();
    return tokens
        .get(
            key,
            k -> {
              fetchedForThisCall.set(true);
              return fetcher.fetch(k);
            })
        .thenCompose(
            token ->
                transport
                    .send(kind, authorized(request, token), plan)
                    .thenCompose(
                        reply -> {
                          if (!rejected(reply) || fetchedForThisCall.get()) {
                            return CompletableFuture.completedFuture(reply);
                          }
                          log.debug(
                              "upstream {} rejected a cached token for {}; fetching a fresh one",
                              upstream,
                              repository);
                          tokens.invalidate(key, token);
                          return tokens
                              .get(key, fetcher::fetch)
                              .thenCompose(
                                  fresh -> transport.send(kind, authorized(request, fresh), plan));
                        }));
  }

  /** A 401 from the registry itself (not from a host it redirected to). */
  private static boolean rejected(Reply<?> reply) {
    return reply.status() == 401 && reply.redirects() == 0;
  }

  /** An anonymous upstream that now says 401 may have turned on auth: ping again next time. */
  private <T> Reply<T> noteRejection(AuthMode mode, Reply<T> reply) {
    if (rejected(reply)) {
      discovery.forget(mode);
    }
    return reply;
  }

  private HttpRequest withBasic(HttpRequest request) {
    if (credentials.isEmpty()) {
      return request; // upstream will say 401, which becomes DENIED
    }
    return HttpRequest.newBuilder(request, (name, value) -> true)
        .header("Authorization", credentials.get().basicAuthorization())
        .build();
  }

  private static HttpRequest authorized(HttpRequest request, Token token) {
    return HttpRequest.newBuilder(request, (name, value) -> true)
        .header("Authorization", token.bearerAuthorization())
        .build();
  }
}
