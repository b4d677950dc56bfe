package dev.stevedore.server.http;

import dev.stevedore.core.cache.CacheOutcome;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.server.metrics.RequestLog;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;
import java.util.Optional;

/**
 * One client request, from the moment it is routed until its response is written (Armeria's {@code
 * RequestContext} and {@code RequestLog} are the model). The router opens it and says where the
 * request went (route, namespace, upstream, repository), the endpoint says how the cache answered,
 * and on the way out {@link AccessLogHandler} stamps the response with the headers every answer
 * carries and, once the last byte is written, logs and meters it from here. It lives in one channel
 * attribute: {@link PipeliningHandler} lets one request of a connection through at a time, so the
 * attribute always names the request whose response is being written.
 *
 * <p>Everything but the cache outcome is read and written on the connection's event loop. The
 * outcome may be set on the thread that completed the endpoint's future, just before the response
 * is written from there; it is volatile so the event loop sees it.
 */
final class RequestContext implements RequestLog {
  private static final AttributeKey<RequestContext> KEY = AttributeKey.valueOf("stevedore.request");
  private static final String INVALID_ROUTE = "invalid";

  /** The header naming the namespace whose {@code ns} parameter picked the upstream. */
  static final String NAMESPACE_HEADER = "OCI-Namespace";

  static final AsciiString CONTENT_TYPE_OPTIONS = AsciiString.cached("X-Content-Type-Options");
  static final AsciiString NOSNIFF = AsciiString.cached("nosniff");

  private final HttpRequest request;
  private final long startNanos = System.nanoTime();
  private final long startMillis = System.currentTimeMillis();
  private Route.Kind route;
  private String namespace;
  private String upstream;
  private RepositoryName repository;
  private volatile CacheOutcome outcome;
  private int status;
  private long bodyBytes;
  private long durationNanos;

  private RequestContext(HttpRequest request) {
    this.request = request;
  }

  /** The context of a request that just arrived, now the channel's request in progress. */
  static RequestContext open(Channel channel, HttpRequest request) {
    RequestContext context = new RequestContext(request);
    channel.attr(KEY).set(context);
    return context;
  }

  /** The channel's request in progress; null before its first request. */
  static RequestContext current(Channel channel) {
    return channel.attr(KEY).get();
  }

  /**
   * The headers every response carries, whoever wrote it (endpoints, error answers, the 400 for a
   * malformed request): {@code X-Content-Type-Options: nosniff}, so no browser guesses HTML or
   * script from a manifest, blob or error body.
   */
  static void stampCommon(HttpResponse response) {
    response.headers().set(CONTENT_TYPE_OPTIONS, NOSNIFF);
  }

  /**
   * This request's response starts: its status noted, and its headers stamped with the common ones
   * and {@code OCI-Namespace} when the request's {@code ns} parameter picked the upstream, as the
   * distribution spec's proxying section asks.
   */
  void respond(HttpResponse response) {
    status = response.status().code();
    stampCommon(response);
    if (namespace != null) {
      response.headers().set(NAMESPACE_HEADER, namespace);
    }
  }

  /**
   * This request's response starts as an {@link EncodedResponse}, whose bytes already carry the
   * common headers; it is written only for a request whose upstream no {@code ns} parameter picked.
   */
  void respondEncoded(int status) {
    this.status = status;
  }

  /** Whether the request's {@code ns} parameter picked its upstream (its answer names it). */
  boolean namespaced() {
    return namespace != null;
  }

  void routed(Route.Kind kind) {
    this.route = kind;
  }

  /** The upstream the request goes to; {@code namespace} when the client's {@code ns} picked it. */
  void upstream(Optional<String> namespace, String upstream) {
    this.namespace = namespace.orElse(null);
    this.upstream = upstream;
  }

  /** The repository the request is for, its name validated and normalised for the upstream. */
  void repository(RepositoryName repository) {
    this.repository = repository;
  }

  /** How the cache answered; the endpoint that knows says it before it writes the response. */
  void outcome(CacheOutcome outcome) {
    this.outcome = outcome;
  }

  void sent(long bytes) {
    bodyBytes += bytes;
  }

  /** The response's last byte was written. */
  void finished() {
    durationNanos = System.nanoTime() - startNanos;
  }

  HttpRequest request() {
    return request;
  }

  long startMillis() {
    return startMillis;
  }

  Optional<String> upstream() {
    return Optional.ofNullable(upstream);
  }

  Optional<RepositoryName> repository() {
    return Optional.ofNullable(repository);
  }

  @Override
  public String route() {
    return route == null ? INVALID_ROUTE : route.tag();
  }

  @Override
  public String method() {
    return request.method().name();
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public Optional<CacheOutcome> outcome() {
    return Optional.ofNullable(outcome);
  }

  @Override
  public long durationNanos() {
    return durationNanos;
  }

  @Override
  public long bodyBytes() {
    return bodyBytes;
  }
}
