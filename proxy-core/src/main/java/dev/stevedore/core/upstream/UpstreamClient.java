package dev.stevedore.core.upstream;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.metrics.CacheMetrics;
import dev.stevedore.core.metrics.UpstreamKind;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.storage.Digest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client for one upstream registry. It pings {@code /v2/} once to learn how to authenticate,
 * caches bearer tokens per repository scope, follows redirects without credentials, and reports
 * every failure as a {@link dev.stevedore.core.error.RegistryException} (the failed future's direct
 * cause). All methods are asynchronous and never block the caller.
 */
public final class UpstreamClient implements Upstream {

  static final int MAX_TAG_LIST_BYTES = 8 * 1024 * 1024;
  private static final Logger log = LoggerFactory.getLogger(UpstreamClient.class);
  private static final Pattern TAG_QUERY_PARAM = Pattern.compile("(n|last)=[A-Za-z0-9._~%-]*");

  private final UpstreamConfig config;
  private final RedirectingTransport transport;
  private final AuthorizingSender sender;
  private final UpstreamErrors errors;
  private final RateLimitTracker rateLimits;
  private final UpstreamGate gate;
  private final BufferBudget buffers;

  /** A client with guards of its own (a process with several clients shares one). */
  public UpstreamClient(UpstreamConfig config) {
    this(config, CacheMetrics.NONE, UpstreamGuards.forThisProcess());
  }

  /**
   * A client that reports its requests to {@code metrics} and holds response bodies within the
   * process's shared {@code guards}.
   */
  public UpstreamClient(UpstreamConfig config, CacheMetrics metrics, UpstreamGuards guards) {
    this(config, Ticker.systemTicker(), metrics, guards);
  }

  /** With an injected ticker, so tests can expire tokens without sleeping. */
  UpstreamClient(UpstreamConfig config, Ticker ticker) {
    this(config, ticker, CacheMetrics.NONE, UpstreamGuards.forThisProcess());
  }

  UpstreamClient(
      UpstreamConfig config, Ticker ticker, CacheMetrics metrics, UpstreamGuards guards) {
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(ticker, "ticker");
    Objects.requireNonNull(guards, "guards");
    this.buffers = guards.buffers();
    this.errors = new UpstreamErrors(config.name());
    this.rateLimits = new RateLimitTracker(config.name(), java.time.Clock.systemUTC());
    this.gate = UpstreamGate.of(config.name(), config.caps());
    this.transport =
        new RedirectingTransport(
            RedirectingTransport.newHttpClient(config.connectTimeout()),
            config.requestTimeout(),
            config.name(),
            Objects.requireNonNull(metrics, "metrics"),
            config.url(),
            guards.redirects());
    AuthDiscovery discovery =
        new AuthDiscovery(config.name(), config.resolve("/v2/"), transport, errors, buffers);
    TokenFetcher fetcher =
        new TokenFetcher(config.name(), transport, config.credentials(), ticker, errors, buffers);
    this.sender =
        new AuthorizingSender(
            config.name(),
            discovery,
            new TokenCache(ticker),
            fetcher,
            transport,
            config.credentials());
  }

  @Override
  public Optional<RateLimit> rateLimit() {
    return rateLimits.latest();
  }

  /**
   * Requests waiting for a connection permit of the upstream's {@link UpstreamCaps} now, so tests
   * can know a request is held back by the cap instead of guessing from elapsed time.
   */
  int queuedRequests() {
    return gate.queued();
  }

  /** The upstream's registry name, such as {@code docker.io}. */
  @Override
  public String name() {
    return config.name();
  }

  /**
   * {@code GET} a manifest, byte for byte. {@code accept} is sent as the Accept header ({@link
   * MediaTypes#ALL_MANIFESTS} when empty). A by-digest request is verified against its digest.
   */
  @Override
  public CompletableFuture<ManifestResponse> getManifest(
      RepositoryName repository, Reference reference, List<String> accept) {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(accept, "accept");
    String what = "manifest " + repository + ":" + reference;
    return exchange(
        gate::call,
        UpstreamKind.MANIFEST_GET,
        repository,
        what,
        manifestRequest(repository, reference, accept).GET().build(),
        BodyPlan.buffered(ManifestReplies.MAX_MANIFEST_BYTES, buffers),
        reply -> ManifestReplies.response(config.name(), what, reference, reply));
  }

  /** {@code HEAD} a manifest (Docker Hub does not count HEADs against the pull limit). */
  @Override
  public CompletableFuture<ManifestHead> headManifest(
      RepositoryName repository, Reference reference, List<String> accept) {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(accept, "accept");
    return exchange(
        gate::call,
        UpstreamKind.MANIFEST_HEAD,
        repository,
        "manifest " + repository + ":" + reference,
        head(manifestRequest(repository, reference, accept)),
        BodyPlan.headersOnly(buffers),
        reply -> ManifestReplies.head(reference, reply));
  }

  /** {@code HEAD} a blob: its length, following redirects without credentials. */
  @Override
  public CompletableFuture<BlobHead> headBlob(RepositoryName repository, Digest digest) {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(digest, "digest");
    return exchange(
        gate::call,
        UpstreamKind.BLOB_HEAD,
        repository,
        "blob " + repository + "@" + digest,
        head(transport.newRequest(blobUri(repository, digest))),
        BodyPlan.headersOnly(buffers),
        reply -> new BlobHead(reply.contentLength()));
  }

  /**
   * {@code GET} a blob as a stream (following a redirect to a CDN without credentials). The bytes
   * are not verified here. The caller must close the download.
   */
  @Override
  public CompletableFuture<BlobDownload> getBlob(RepositoryName repository, Digest digest) {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(digest, "digest");
    return exchange(
        gate::stream,
        UpstreamKind.BLOB_GET,
        repository,
        "blob " + repository + "@" + digest,
        transport.newRequest(blobUri(repository, digest)).GET().build(),
        BodyPlan.streamed(buffers),
        reply -> new BlobDownload(reply.contentLength(), reply.body()));
  }

  /**
   * {@code GET} the tag list. Of {@code rawQuery} (nullable, e.g. {@code n=10&last=x}) only the
   * pagination parameters {@code n} and {@code last} are forwarded.
   */
  @Override
  public CompletableFuture<TagListResponse> listTags(RepositoryName repository, String rawQuery) {
    Objects.requireNonNull(repository, "repository");
    String query = paginationQuery(rawQuery);
    URI uri =
        config.resolve(
            "/v2/" + repository.value() + "/tags/list" + (query.isEmpty() ? "" : "?" + query));
    return exchange(
        gate::call,
        UpstreamKind.TAGS,
        repository,
        "tags of " + repository,
        transport.newRequest(uri).GET().header("Accept", "application/json").build(),
        BodyPlan.buffered(MAX_TAG_LIST_BYTES, buffers),
        reply -> {
          if (reply.body().truncated()) {
            throw ErrorCode.UNKNOWN.exception(
                "upstream "
                    + config.name()
                    + " sent a tag list over 8 MiB for "
                    + repository
                    + "; ask for fewer with ?n=");
          }
          return new TagListResponse(
              reply.status(),
              reply.body().bytes(),
              reply.headers().firstValue("Content-Type").orElse("application/json"),
              reply.headers().firstValue("Link"));
        });
  }

  /**
   * Sends {@code request} for {@code what} through the gate ({@link UpstreamGate#call}, or {@link
   * UpstreamGate#stream} for a streamed body) and turns its 200 reply into the result with {@code
   * ok}. Any other status fails with the error for what was asked (a manifest, blob or tag list, by
   * {@code kind}); every failure is a {@link dev.stevedore.core.error.RegistryException} naming
   * {@code what}. Manifest replies, whatever their status, also update the rate limit. The bodies
   * the plan buffered go back to the budget when the exchange ends, however it ends.
   */
  private <B, R> CompletableFuture<R> exchange(
      Function<Supplier<CompletableFuture<Reply<B>>>, CompletableFuture<Reply<B>>> gated,
      UpstreamKind kind,
      RepositoryName repository,
      String what,
      HttpRequest request,
      BodyPlan<B> plan,
      Function<Reply<B>, R> ok) {
    log.debug("upstream {}: {} {}", config.name(), request.method(), what);
    UpstreamErrors.Subject subject = subject(kind);
    return errors.mapped(
        what,
        () ->
            gated
                .apply(() -> sender.send(kind, repository, request, plan))
                .thenApply(
                    reply -> {
                      if (subject == UpstreamErrors.Subject.MANIFEST) {
                        rateLimits.observe(reply.headers());
                      }
                      if (reply.status() != 200) {
                        throw errors.forStatus(subject, what, reply);
                      }
                      return ok.apply(reply);
                    })
                .whenComplete((result, failure) -> plan.release()));
  }

  private static UpstreamErrors.Subject subject(UpstreamKind kind) {
    return switch (kind) {
      case MANIFEST_GET, MANIFEST_HEAD -> UpstreamErrors.Subject.MANIFEST;
      case BLOB_GET, BLOB_HEAD -> UpstreamErrors.Subject.BLOB;
      case TAGS -> UpstreamErrors.Subject.TAGS;
      case PING -> UpstreamErrors.Subject.PING;
      case TOKEN -> UpstreamErrors.Subject.TOKEN;
    };
  }

  private static HttpRequest head(HttpRequest.Builder request) {
    return request.method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
  }

  private HttpRequest.Builder manifestRequest(
      RepositoryName repository, Reference reference, List<String> accept) {
    List<String> types = accept.isEmpty() ? MediaTypes.ALL_MANIFESTS : accept;
    URI uri = config.resolve("/v2/" + repository.value() + "/manifests/" + reference.value());
    return transport.newRequest(uri).header("Accept", String.join(", ", types));
  }

  private URI blobUri(RepositoryName repository, Digest digest) {
    return config.resolve("/v2/" + repository.value() + "/blobs/" + digest);
  }

  /** The {@code n} and {@code last} parameters of a raw query, anything else dropped. */
  static String paginationQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    List<String> kept = new ArrayList<>();
    for (String param : rawQuery.split("&")) {
      if (TAG_QUERY_PARAM.matcher(param).matches()) {
        kept.add(param);
      }
    }
    return String.join("&", kept);
  }
}
