package dev.stevedore.core.upstream;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.stevedore.core.metrics.CacheMetrics;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.storage.Digest;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client for one upstream registry. It pings {@code /v2/} once to learn how to authenticate,
 * caches bearer tokens per repository scope, follows redirects without credentials, and reports
 * every failure as a {@link dev.stevedore.core.error.RegistryException} (the failed future's direct
 * cause). All methods are asynchronous and never block the caller.
 */
public final class UpstreamClient implements Upstream {

  private static final Logger log = LoggerFactory.getLogger(UpstreamClient.class);

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
            config.connectTimeout(),
            config.requestTimeout(),
            config.name(),
            Objects.requireNonNull(metrics, "metrics"),
            config.url(),
            guards.redirects());
    AuthDiscovery discovery = new AuthDiscovery(config, transport, errors, buffers);
    TokenFetcher fetcher = new TokenFetcher(config, transport, ticker, errors, buffers);
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
    return exchange(new RegistryEndpoints.ManifestGet(repository, reference, accept));
  }

  /** {@code HEAD} a manifest (Docker Hub does not count HEADs against the pull limit). */
  @Override
  public CompletableFuture<ManifestHead> headManifest(
      RepositoryName repository, Reference reference, List<String> accept) {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(accept, "accept");
    return exchange(new RegistryEndpoints.ManifestHeadRequest(repository, reference, accept));
  }

  /** {@code HEAD} a blob: its length, following redirects without credentials. */
  @Override
  public CompletableFuture<BlobHead> headBlob(RepositoryName repository, Digest digest) {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(digest, "digest");
    return exchange(new RegistryEndpoints.BlobHeadRequest(repository, digest));
  }

  /**
   * {@code GET} a blob as a stream (following a redirect to a CDN without credentials). The bytes
   * are not verified here. The caller must close the download.
   */
  @Override
  public CompletableFuture<BlobDownload> getBlob(RepositoryName repository, Digest digest) {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(digest, "digest");
    return exchange(new RegistryEndpoints.BlobGet(repository, digest));
  }

  /**
   * {@code GET} the tag list. Of {@code rawQuery} (nullable, e.g. {@code n=10&last=x}) only the
   * pagination parameters {@code n} and {@code last} are forwarded.
   */
  @Override
  public CompletableFuture<TagListResponse> listTags(RepositoryName repository, String rawQuery) {
    Objects.requireNonNull(repository, "repository");
    return exchange(new RegistryEndpoints.TagList(repository, rawQuery));
  }

  /**
   * {@code GET} the referrers index of {@code subject}, filtered by {@code artifactType} when the
   * upstream can; empty when the upstream has no referrers API.
   */
  @Override
  public CompletableFuture<Optional<ReferrersResponse>> referrers(
      RepositoryName repository, Digest subject, Optional<String> artifactType) {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(artifactType, "artifactType");
    return exchange(new RegistryEndpoints.ReferrersGet(repository, subject, artifactType));
  }

  /**
   * Sends the request {@code endpoint} describes, authorized for its repository, through the gate
   * as its body handling says, and turns the final reply into its result ({@link
   * UpstreamEndpoint#answer}); every failure is a {@link
   * dev.stevedore.core.error.RegistryException} naming what was asked for. The bodies the exchange
   * buffered go back to the budget when it ends, however it ends.
   */
  private <B, R> CompletableFuture<R> exchange(UpstreamEndpoint<B, R> endpoint) {
    UpstreamTarget target = endpoint.target();
    RepositoryName repository =
        target
            .scope()
            .orElseThrow(() -> new IllegalArgumentException(target.what() + " has no scope"));
    HttpRequest request = endpoint.request(config, transport).build();
    BodyHandling<B> body = endpoint.body();
    log.debug("upstream {}: {} {}", config.name(), endpoint.method(), target.what());
    return errors.mapped(
        target.what(),
        () ->
            body.withPlan(
                buffers,
                plan ->
                    body.admission()
                        .admit(gate, () -> sender.send(endpoint.kind(), repository, request, plan))
                        .thenApply(
                            reply -> {
                              if (endpoint.observesRateLimit()) {
                                rateLimits.observe(reply.headers());
                              }
                              return endpoint.answer(reply, config.name(), errors);
                            })));
  }
}
