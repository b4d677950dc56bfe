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
import java.util.function.Supplier;

/**
 * Manifests through the cache. By digest: local first, upstream only on a miss, one fetch per
 * upstream, repository and digest however many ask. By tag: resolved to a digest by the {@link
 * TagResolver} (TTL, HEAD revalidation, serve-stale), then served by digest. Upstream errors are
 * never cached.
 *
 * <p>A stored manifest is served through a repository only when the repository has it ({@link
 * RepositoryLinks}): fetched or tagged through it, referenced by one of its manifests, or confirmed
 * by an upstream {@code HEAD} in its scope. A manifest fetched or tagged through a repository links
 * everything it references there, so a pull's blob requests need no confirmation.
 */
public final class ManifestService {
  private final StoredManifests stored;
  private final Executor disk;
  private final TagResolver tags;
  private final RepositoryLinks links;
  private final SingleFlight<FetchKey, ManifestContent> fetches = new SingleFlight<>();

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
    this.stored = Objects.requireNonNull(stored, "stored");
    this.disk = Objects.requireNonNull(disk, "disk");
    this.links = Objects.requireNonNull(links, "links");
    this.tags = new TagResolver(stored, tags, disk, clock, tagTtl);
  }

  /** Answers a manifest {@code HEAD}: never downloads a manifest it does not have to. */
  public CompletableFuture<ManifestDescriptor> head(
      Upstream upstream, RepositoryName repo, Reference ref, AcceptedTypes accept) {
    if (ref.isDigest()) {
      Digest digest = ref.digest().orElseThrow();
      Optional<ManifestContent> hot = stored.cached(digest);
      if (hot.isPresent() && links.cached(upstream.name(), repo, digest)) {
        return CompletableFuture.completedFuture(hot.get().descriptor());
      }
      return supplyBlocking(
              () -> {
                Optional<ManifestDescriptor> local = stored.describe(digest);
                boolean linked = local.isPresent() && links.has(upstream.name(), repo, digest);
                return new Local<>(local, linked);
              },
              disk)
          .thenCompose(
              local -> {
                if (local.found().isEmpty()) {
                  return upstream
                      .headManifest(repo, ref, MediaTypes.ALL_MANIFESTS)
                      .thenApply(head -> describe(head, digest));
                }
                return local.linked()
                    ? CompletableFuture.completedFuture(local.found().get())
                    : links
                        .confirm(upstream, repo, digest, RepositoryLinks.Kind.MANIFEST)
                        .thenApply(ok -> local.found().get());
              });
    }
    return tags.resolve(upstream, repo, ref.value(), accept, TagResolver.Need.DESCRIPTOR)
        .thenCompose(descriptor -> linkTagged(upstream, repo, descriptor));
  }

  /**
   * A tag of the repository resolved to this manifest, so the repository has it: link it and what
   * it references, so the pull that follows (by digest) needs no confirmation.
   */
  private CompletableFuture<ManifestDescriptor> linkTagged(
      Upstream upstream, RepositoryName repo, ManifestDescriptor descriptor) {
    if (links.cached(upstream.name(), repo, descriptor.digest())) {
      return CompletableFuture.completedFuture(descriptor);
    }
    return supplyBlocking(
        () -> {
          links.linkStored(upstream.name(), repo, descriptor.digest());
          return descriptor;
        },
        disk);
  }

  /** Answers a manifest {@code GET} with the exact bytes. */
  public CompletableFuture<ManifestContent> get(
      Upstream upstream, RepositoryName repo, Reference ref, AcceptedTypes accept) {
    if (ref.isDigest()) {
      return getByDigest(upstream, repo, ref.digest().orElseThrow(), false);
    }
    return tags.resolve(upstream, repo, ref.value(), accept, TagResolver.Need.BODY)
        .thenCompose(
            descriptor ->
                getByDigest(upstream, repo, descriptor.digest(), true)
                    .thenApply(
                        content ->
                            content.withOutcome(
                                descriptor.outcome().then(content.descriptor().outcome()))));
  }

  /**
   * @param tagged whether a tag of {@code repo} resolved to {@code digest}, which makes it the
   *     repository's without asking
   */
  private CompletableFuture<ManifestContent> getByDigest(
      Upstream upstream, RepositoryName repo, Digest digest, boolean tagged) {
    return cachedOr(
        upstream,
        repo,
        digest,
        tagged,
        () ->
            fetches.run(
                new FetchKey(upstream.name(), repo, digest),
                () -> fetchByDigest(upstream, repo, digest, tagged),
                shared -> shared.withOutcome(CacheOutcome.COALESCED)));
  }

  /** The manifest from {@link #fromCache}, or else what {@code miss} makes. */
  private CompletableFuture<ManifestContent> cachedOr(
      Upstream upstream,
      RepositoryName repo,
      Digest digest,
      boolean tagged,
      Supplier<CompletableFuture<ManifestContent>> miss) {
    return fromCache(upstream, repo, digest, tagged)
        .thenCompose(
            local ->
                local.isPresent() ? CompletableFuture.completedFuture(local.get()) : miss.get());
  }

  /**
   * The stored manifest when the repository may be served it (linked, tagged to it, or confirmed
   * upstream now); empty when it is not stored. Fails when the upstream says the repository does
   * not have it.
   */
  private CompletableFuture<Optional<ManifestContent>> fromCache(
      Upstream upstream, RepositoryName repo, Digest digest, boolean tagged) {
    Optional<ManifestContent> hot = stored.cached(digest);
    if (hot.isPresent() && links.cached(upstream.name(), repo, digest)) {
      return CompletableFuture.completedFuture(hot);
    }
    return supplyBlocking(
            () -> {
              Optional<ManifestContent> local = stored.read(digest);
              if (local.isEmpty()) {
                return new Local<>(local, false);
              }
              boolean linked = tagged || links.has(upstream.name(), repo, digest);
              if (linked) {
                // also links what it references, where a crash or an older version left gaps
                links.linkManifest(upstream.name(), repo, local.get());
              }
              return new Local<>(local, linked);
            },
            disk)
        .thenCompose(
            local ->
                local.found().isEmpty() || local.linked()
                    ? CompletableFuture.completedFuture(local.found())
                    : links
                        .confirm(upstream, repo, digest, RepositoryLinks.Kind.MANIFEST)
                        .thenApply(ok -> local.found()));
  }

  /** Fetches a manifest by digest, unless a fetch that just finished stored it meanwhile. */
  private CompletableFuture<ManifestContent> fetchByDigest(
      Upstream upstream, RepositoryName repo, Digest digest, boolean tagged) {
    return cachedOr(
        upstream,
        repo,
        digest,
        tagged,
        () ->
            upstream
                .getManifest(repo, Reference.of(digest), MediaTypes.ALL_MANIFESTS)
                .thenApplyAsync(
                    response -> {
                      ManifestContent content =
                          stored.store(digest, response.body(), response.mediaType());
                      links.linkManifest(upstream.name(), repo, content);
                      return content;
                    },
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

  /** Fetches by digest are shared per upstream and repository: each is its own check. */
  private record FetchKey(String upstream, RepositoryName repo, Digest digest) {}

  /** What the disk holds, and whether the repository has a link to it. */
  private record Local<T>(Optional<T> found, boolean linked) {}
}
