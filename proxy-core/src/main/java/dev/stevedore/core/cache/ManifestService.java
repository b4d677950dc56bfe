package dev.stevedore.core.cache;

import static dev.stevedore.core.cache.Futures.supplyBlocking;

import dev.stevedore.core.cluster.ClaimNames;
import dev.stevedore.core.cluster.Cluster;
import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.upstream.ManifestHead;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.TagStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Manifests through the cache. By digest: local first, upstream only on a miss, one fetch per
 * upstream, repository and digest however many ask. By tag: resolved to a digest by the {@link
 * TagResolver} (TTL, HEAD revalidation, serve-stale), then served by digest. Upstream errors are
 * never cached. Every answer says how the cache served it ({@link Served}); a GET by tag reports
 * the tag's outcome unless the tag was a hit, then the digest's ({@link CacheOutcome#then}).
 *
 * <p>A stored manifest is served through a repository only when the repository has it ({@link
 * RepositoryLinks}): fetched or tagged through it, referenced by one of its manifests, or confirmed
 * by an upstream {@code HEAD} in its scope. A manifest fetched or tagged through a repository links
 * everything it references there, so a pull's blob requests need no confirmation. What a fetch
 * leaves behind is written by {@link ManifestRecords}, the one writer of the manifest path.
 */
public final class ManifestService {
  private final StoredManifests stored;
  private final Executor disk;
  private final TagResolver tags;
  private final RepositoryLinks links;
  private final ManifestRecords records;
  private final ClusterOnce once;
  private final ReferrersService referrers;
  private final SingleFlight<FetchKey, Served<ManifestContent>> fetches = new SingleFlight<>();

  public ManifestService(
      StoredManifests stored, TagStore tags, Executor disk, Clock clock, Duration tagTtl) {
    this(stored, tags, disk, clock, tagTtl, RepositoryLinks.inMemory(stored, disk));
  }

  /**
   * @param links the repository links, shared with the {@link BlobService}
   */
  public ManifestService(
      StoredManifests stored,
      TagStore tags,
      Executor disk,
      Clock clock,
      Duration tagTtl,
      RepositoryLinks links) {
    this(stored, tags, disk, clock, tagTtl, links, Cluster.SOLO);
  }

  /**
   * As a replica of {@code cluster}: a manifest or tag another replica is fetching is not fetched
   * again; its answer is taken from the shared store.
   */
  public ManifestService(
      StoredManifests stored,
      TagStore tags,
      Executor disk,
      Clock clock,
      Duration tagTtl,
      RepositoryLinks links,
      Cluster cluster) {
    this.once = new ClusterOnce(cluster, disk);
    this.stored = Objects.requireNonNull(stored, "stored");
    this.disk = Objects.requireNonNull(disk, "disk");
    this.links = Objects.requireNonNull(links, "links");
    this.records = new ManifestRecords(stored, tags, links, clock);
    this.tags = new TagResolver(stored, records, disk, clock, tagTtl, once);
    this.referrers = new ReferrersService(stored, tags, links, disk, clock, tagTtl);
  }

  /**
   * The referrers API through the cache, sharing this service's links and tag TTL: the manifests it
   * lists are then pulled by digest through this service.
   */
  public ReferrersService referrers() {
    return referrers;
  }

  /** Answers a manifest {@code HEAD}: never downloads a manifest it does not have to. */
  public CompletableFuture<Served<ManifestDescriptor>> head(ManifestRequest request) {
    if (!request.reference().isDigest()) {
      return tags.resolve(request, TagResolver.Need.DESCRIPTOR)
          .thenCompose(tagged -> linkTagged(request, tagged));
    }
    Digest digest = request.reference().digest().orElseThrow();
    Optional<ManifestContent> hot = hot(request, digest);
    if (hot.isPresent()) {
      return CompletableFuture.completedFuture(Served.hit(hot.get().descriptor()));
    }
    return supplyBlocking(
            () -> {
              Optional<ManifestDescriptor> local = stored.describe(digest);
              boolean linked =
                  local.isPresent() && links.has(request.registry(), request.repository(), digest);
              return new Local<>(local, linked);
            },
            disk)
        .thenCompose(
            local -> {
              if (local.found().isEmpty()) {
                return request
                    .upstream()
                    .headManifest(
                        request.repository(), request.reference(), MediaTypes.ALL_MANIFESTS)
                    .thenApply(head -> Served.miss(describe(head, digest)));
              }
              Served<ManifestDescriptor> served = Served.hit(local.found().get());
              return local.linked()
                  ? CompletableFuture.completedFuture(served)
                  : confirm(request, digest).thenApply(ok -> served);
            });
  }

  /**
   * A tag of the repository resolved to this manifest, so the repository has it: link it and what
   * it references, so the pull that follows (by digest) needs no confirmation.
   */
  private CompletableFuture<Served<ManifestDescriptor>> linkTagged(
      ManifestRequest request, Served<ManifestDescriptor> tagged) {
    Digest digest = tagged.value().digest();
    if (links.cached(request.registry(), request.repository(), digest)) {
      return CompletableFuture.completedFuture(tagged);
    }
    return supplyBlocking(
        () -> {
          records.linkTagged(request.registry(), request.repository(), digest);
          return tagged;
        },
        disk);
  }

  /** Answers a manifest {@code GET} with the exact bytes. */
  public CompletableFuture<Served<ManifestContent>> get(ManifestRequest request) {
    if (request.reference().isDigest()) {
      return getByDigest(request, request.reference().digest().orElseThrow(), false);
    }
    return tags.resolve(request, TagResolver.Need.BODY)
        .thenCompose(
            tag ->
                getByDigest(request, tag.value().digest(), true)
                    .thenApply(content -> content.as(tag.outcome().then(content.outcome()))));
  }

  /**
   * @param tagged whether a tag of the request's repository resolved to {@code digest}, which makes
   *     it the repository's without asking
   */
  private CompletableFuture<Served<ManifestContent>> getByDigest(
      ManifestRequest request, Digest digest, boolean tagged) {
    Optional<ManifestContent> hot = hot(request, digest);
    if (hot.isPresent()) { // the hot path: no future composed, no disk hop
      return CompletableFuture.completedFuture(Served.hit(hot.get()));
    }
    return cachedOr(
        request,
        digest,
        tagged,
        () ->
            fetches.run(
                new FetchKey(request.registry(), request.repository(), digest),
                () -> fetchByDigest(request, digest, tagged),
                shared -> shared.as(CacheOutcome.COALESCED)));
  }

  /** The stored manifest, in memory and linked to the repository: served without any I/O. */
  private Optional<ManifestContent> hot(ManifestRequest request, Digest digest) {
    Optional<ManifestContent> hot = stored.cached(digest);
    return hot.isPresent() && links.cached(request.registry(), request.repository(), digest)
        ? hot
        : Optional.empty();
  }

  /** The manifest from {@link #fromCache}, or else what {@code miss} makes. */
  private CompletableFuture<Served<ManifestContent>> cachedOr(
      ManifestRequest request,
      Digest digest,
      boolean tagged,
      Supplier<CompletableFuture<Served<ManifestContent>>> miss) {
    return fromCache(request, digest, tagged)
        .thenCompose(
            local ->
                local.isPresent()
                    ? CompletableFuture.completedFuture(Served.hit(local.get()))
                    : miss.get());
  }

  /**
   * The stored manifest when the repository may be served it (linked, tagged to it, or confirmed
   * upstream now); empty when it is not stored. Fails when the upstream says the repository does
   * not have it.
   */
  private CompletableFuture<Optional<ManifestContent>> fromCache(
      ManifestRequest request, Digest digest, boolean tagged) {
    Optional<ManifestContent> hot = hot(request, digest);
    if (hot.isPresent()) {
      return CompletableFuture.completedFuture(hot);
    }
    return supplyBlocking(
            () -> {
              Optional<ManifestContent> local = stored.read(digest);
              if (local.isEmpty()) {
                return new Local<>(local, false);
              }
              boolean linked =
                  tagged || links.has(request.registry(), request.repository(), digest);
              if (linked) {
                records.linkHeld(request.registry(), request.repository(), local.get());
              }
              return new Local<>(local, linked);
            },
            disk)
        .thenCompose(
            local ->
                local.found().isEmpty() || local.linked()
                    ? CompletableFuture.completedFuture(local.found())
                    : confirm(request, digest).thenApply(ok -> local.found()));
  }

  private CompletableFuture<Void> confirm(ManifestRequest request, Digest digest) {
    return links.confirm(
        request.upstream(), request.repository(), digest, RepositoryLinks.Kind.MANIFEST);
  }

  /** Fetches a manifest by digest, unless a fetch that just finished stored it meanwhile. */
  private CompletableFuture<Served<ManifestContent>> fetchByDigest(
      ManifestRequest request, Digest digest, boolean tagged) {
    return cachedOr(
        request,
        digest,
        tagged,
        () ->
            once.run(
                ClaimNames.manifest(request.registry(), digest),
                () -> stored.read(digest).isPresent(),
                () ->
                    fromCache(request, digest, tagged)
                        .thenApply(
                            content -> new Served<>(content.orElseThrow(), CacheOutcome.COALESCED)),
                () ->
                    request
                        .upstream()
                        .getManifest(
                            request.repository(), Reference.of(digest), MediaTypes.ALL_MANIFESTS)
                        .thenApplyAsync(
                            response ->
                                Served.miss(
                                    records.storeFetched(
                                        request.registry(),
                                        request.repository(),
                                        digest,
                                        response)),
                            disk)));
  }

  private static ManifestDescriptor describe(ManifestHead head, Digest requested) {
    if (head.digest().isPresent() && !head.digest().get().equals(requested)) {
      throw ErrorCode.MANIFEST_INVALID.exception(
          "upstream answered " + head.digest().get() + " for " + requested);
    }
    return new ManifestDescriptor(requested, head.mediaType(), head.contentLength());
  }

  /** Fetches by digest are shared per upstream and repository: each is its own check. */
  private record FetchKey(String upstream, RepositoryName repo, Digest digest) {}

  /** What the disk holds, and whether the repository has a link to it. */
  private record Local<T>(Optional<T> found, boolean linked) {}
}
