package dev.stevedore.core.cache;

import static dev.stevedore.core.cache.Futures.supplyBlocking;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.upstream.ManifestHead;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.TagStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Manifests through the cache. By digest: local first, upstream only on a miss, one fetch per
 * digest however many ask. By tag: resolved to a digest by the {@link TagResolver} (TTL, HEAD
 * revalidation, serve-stale), then served by digest. Upstream errors are never cached.
 */
public final class ManifestService {
  private final StoredManifests stored;
  private final Executor disk;
  private final TagResolver tags;
  private final SingleFlight<Digest, ManifestContent> fetches = new SingleFlight<>();

  public ManifestService(
      StoredManifests stored, TagStore tags, Executor disk, Clock clock, Duration tagTtl) {
    this.stored = Objects.requireNonNull(stored, "stored");
    this.disk = Objects.requireNonNull(disk, "disk");
    this.tags = new TagResolver(stored, tags, disk, clock, tagTtl);
  }

  /** Answers a manifest {@code HEAD}: never downloads a manifest it does not have to. */
  public CompletableFuture<ManifestDescriptor> head(
      Upstream upstream, RepositoryName repo, Reference ref, AcceptedTypes accept) {
    if (ref.isDigest()) {
      Digest digest = ref.digest().orElseThrow();
      Optional<ManifestContent> hot = stored.cached(digest);
      if (hot.isPresent()) {
        return CompletableFuture.completedFuture(hot.get().descriptor());
      }
      return supplyBlocking(() -> stored.describe(digest), disk)
          .thenCompose(
              local ->
                  local.isPresent()
                      ? CompletableFuture.completedFuture(local.get())
                      : upstream
                          .headManifest(repo, ref, MediaTypes.ALL_MANIFESTS)
                          .thenApply(head -> describe(head, digest)));
    }
    return tags.resolve(upstream, repo, ref.value(), accept, TagResolver.Need.DESCRIPTOR);
  }

  /** Answers a manifest {@code GET} with the exact bytes. */
  public CompletableFuture<ManifestContent> get(
      Upstream upstream, RepositoryName repo, Reference ref, AcceptedTypes accept) {
    if (ref.isDigest()) {
      return getByDigest(upstream, repo, ref.digest().orElseThrow());
    }
    return tags.resolve(upstream, repo, ref.value(), accept, TagResolver.Need.BODY)
        .thenCompose(
            descriptor ->
                getByDigest(upstream, repo, descriptor.digest())
                    .thenApply(
                        content ->
                            content.withOutcome(
                                descriptor.outcome().then(content.descriptor().outcome()))));
  }

  /**
   * A manifest by digest, whatever the client accepts: the digest names exactly these bytes. The
   * upstream is asked with every manifest type, so it never refuses for a narrow Accept.
   */
  private CompletableFuture<ManifestContent> getByDigest(
      Upstream upstream, RepositoryName repo, Digest digest) {
    Optional<ManifestContent> hot = stored.cached(digest);
    if (hot.isPresent()) {
      return CompletableFuture.completedFuture(hot.get());
    }
    return supplyBlocking(() -> stored.read(digest), disk)
        .thenCompose(
            local -> {
              if (local.isPresent()) {
                return CompletableFuture.completedFuture(local.get());
              }
              return fetches.run(
                  digest,
                  () -> fetchByDigest(upstream, repo, digest),
                  shared -> shared.withOutcome(CacheOutcome.COALESCED));
            });
  }

  /** Fetches a manifest by digest, unless a fetch that just finished stored it meanwhile. */
  private CompletableFuture<ManifestContent> fetchByDigest(
      Upstream upstream, RepositoryName repo, Digest digest) {
    Optional<ManifestContent> hot = stored.cached(digest);
    if (hot.isPresent()) {
      return CompletableFuture.completedFuture(hot.get());
    }
    return supplyBlocking(() -> stored.read(digest), disk)
        .thenCompose(
            local ->
                local.isPresent()
                    ? CompletableFuture.completedFuture(local.get())
                    : upstream
                        .getManifest(repo, Reference.of(digest), MediaTypes.ALL_MANIFESTS)
                        .thenApplyAsync(
                            response -> stored.store(digest, response.body(), response.mediaType()),
                            disk));
  }

  private static ManifestDescriptor describe(ManifestHead head, Digest requested) {
    if (head.digest().isPresent() && !head.digest().get().equals(requested)) {
      throw ErrorCode.MANIFEST_INVALID.exception(
          "upstream answered " + head.digest().get() + " for " + requested);
    }
    return new ManifestDescriptor(
        requested, head.mediaType(), head.contentLength(), CacheOutcome.MISS);
  }
}
