package dev.stevedore.server.http;

import dev.stevedore.core.cache.CacheOutcome;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.upstream.Upstream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Optional;

/**
 * A validated request for one repository: its upstream, normalised name and raw reference, with the
 * {@link RequestContext} the access log and metrics read.
 */
record RegistryRequest(
    ChannelHandlerContext ctx,
    RequestContext context,
    HttpHeaders headers,
    boolean head,
    Upstream upstream,
    RepositoryName repository,
    String reference,
    Optional<String> rawQuery) {

  /** Tells the access log and metrics how the cache answered this request. */
  void outcome(CacheOutcome outcome) {
    context.outcome(outcome);
  }
}
