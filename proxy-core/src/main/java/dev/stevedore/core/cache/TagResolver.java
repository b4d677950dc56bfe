package dev.stevedore.core.cache;

import static dev.stevedore.core.cache.Futures.supplyBlocking;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.upstream.ManifestHead;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.TagRecord;
import dev.stevedore.storage.TagStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a tag into a manifest descriptor, frugally. A tag confirmed within the TTL is answered from
 * the tag store; an older one is revalidated with an upstream {@code HEAD} (not metered by Docker
 * Hub) and fetched only when its digest changed; when the upstream cannot answer, or no longer has
 * the tag, the cached tag is served stale. An upstream 404 for a tag we hold nothing for is
 * remembered briefly. Concurrent resolutions of one tag make one upstream request.
 *
 * <p>The upstream is always asked with every manifest type Stevedore accepts, never with one
 * client's narrower {@code Accept}, and the client's types are negotiated here: a client that
 * accepts fewer types can neither make the upstream answer 404 for everyone (a remembered 404
 * always means the tag is missing in every form) nor split one tag into several upstream requests.
 */
final class TagResolver {
  private static final Logger log = LoggerFactory.getLogger(TagResolver.class);
  private static final Duration NEGATIVE_TTL = Duration.ofSeconds(30);
  private static final Duration STALE_WARNING_INTERVAL = Duration.ofMinutes(1);

  private final StoredManifests stored;
  private final TagStore tags;
  private final Executor disk;
  private final Clock clock;
  private final Duration tagTtl;
  private final SingleFlight<FetchKey, ManifestDescriptor> resolutions = new SingleFlight<>();
  private final TimedMarks<TagKey> missingUpstream;
  private final TimedMarks<TagKey> staleWarned;

  /**
   * Tag records read or written lately, so a hot tag is answered without a disk read. A record
   * another process (preload, import) wrote meanwhile is seen within a tag TTL at the latest.
   */
  private final Cache<TagKey, TagRecord> recentTags =
      Caffeine.newBuilder().maximumSize(10_000).build();

  TagResolver(StoredManifests stored, TagStore tags, Executor disk, Clock clock, Duration tagTtl) {
    this.stored = Objects.requireNonNull(stored, "stored");
    this.tags = Objects.requireNonNull(tags, "tags");
    this.disk = Objects.requireNonNull(disk, "disk");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.tagTtl = Objects.requireNonNull(tagTtl, "tagTtl");
    this.missingUpstream = new TimedMarks<>(clock);
    this.staleWarned = new TimedMarks<>(clock);
  }

  /** Whether the caller needs the manifest's bytes or only its descriptor (a HEAD). */
  enum Need {
    DESCRIPTOR,
    BODY
  }

  /**
   * The tag's descriptor in a media type the client accepts; {@code MANIFEST_UNKNOWN} when the tag
   * exists only in a type it does not accept (as the distribution registry answers).
   */
  CompletableFuture<ManifestDescriptor> resolve(
      Upstream upstream, RepositoryName repo, String tag, AcceptedTypes accept, Need need) {
    return resolve(upstream, repo, tag, need)
        .thenApply(descriptor -> negotiate(upstream, repo, tag, accept, descriptor));
  }

  private CompletableFuture<ManifestDescriptor> resolve(
      Upstream upstream, RepositoryName repo, String tag, Need need) {
    Optional<ManifestDescriptor> hot = freshInMemory(new TagKey(upstream.name(), repo, tag));
    if (hot.isPresent()) {
      return CompletableFuture.completedFuture(hot.get());
    }
    FetchKey key = new FetchKey(upstream.name(), repo, tag, need);
    return supplyBlocking(() -> freshTag(upstream.name(), repo, tag), disk)
        .thenCompose(
            fresh ->
                fresh.isPresent()
                    ? CompletableFuture.completedFuture(fresh.get())
                    : resolutions.run(
                        key,
                        () -> revalidateTag(upstream, repo, tag, need),
                        shared -> shared.withOutcome(CacheOutcome.COALESCED)));
  }

  private static ManifestDescriptor negotiate(
      Upstream upstream,
      RepositoryName repo,
      String tag,
      AcceptedTypes accept,
      ManifestDescriptor descriptor) {
    if (accept.accepts(descriptor.mediaType())) {
      return descriptor;
    }
    throw ErrorCode.MANIFEST_UNKNOWN.exception(
        "manifest "
            + repo
            + ":"
            + tag
            + " of upstream "
            + upstream.name()
            + " is a "
            + descriptor.mediaType()
            + ", which the Accept header does not include");
  }

  /** A fresh tag whose record and manifest are both in memory: answered without any I/O. */
  private Optional<ManifestDescriptor> freshInMemory(TagKey key) {
    TagRecord record = recentTags.getIfPresent(key);
    if (record == null || !isFresh(record)) {
      return Optional.empty();
    }
    return stored.cached(record.digest()).map(ManifestContent::descriptor);
  }

  /** The cached tag when it is young enough and its manifest stored. */
  private Optional<ManifestDescriptor> freshTag(String registry, RepositoryName repo, String tag)
      throws Exception {
    Optional<TagRecord> record = tags.get(registry, repo.value(), tag);
    record.ifPresent(found -> recentTags.put(new TagKey(registry, repo, tag), found));
    if (record.isEmpty() || !isFresh(record.get())) {
      return Optional.empty();
    }
    return stored.describe(record.get().digest());
  }

  private boolean isFresh(TagRecord record) {
    return record.confirmedAt().plus(tagTtl).isAfter(clock.instant());
  }

  private CompletableFuture<ManifestDescriptor> revalidateTag(
      Upstream upstream, RepositoryName repo, String tag, Need need) {
    // a resolution that finished just before this one joined may have confirmed the tag already
    Optional<ManifestDescriptor> fresh = freshInMemory(new TagKey(upstream.name(), repo, tag));
    if (fresh.isPresent()) {
      return CompletableFuture.completedFuture(fresh.get());
    }
    return supplyBlocking(() -> cachedTag(upstream.name(), repo, tag), disk)
        .thenCompose(
            cached -> {
              if (cached.isEmpty()) {
                return uncachedTag(upstream, repo, tag, need);
              }
              return upstream
                  .headManifest(repo, Reference.parse(tag), MediaTypes.ALL_MANIFESTS)
                  .thenCompose(head -> confirmOrRefetch(upstream, repo, tag, head, cached.get()))
                  .exceptionally(error -> serveStale(upstream, repo, tag, cached.get(), error));
            });
  }

  /**
   * A tag we hold nothing for: fetched (or, for a HEAD, looked up with HEAD). An upstream 404 is
   * remembered briefly, so clients retrying a missing tag do not each reach the upstream; it was
   * asked with every manifest type, so the 404 means the tag is missing for every client.
   */
  private CompletableFuture<ManifestDescriptor> uncachedTag(
      Upstream upstream, RepositoryName repo, String tag, Need need) {
    TagKey key = new TagKey(upstream.name(), repo, tag);
    if (missingUpstream.isMarked(key)) {
      return CompletableFuture.failedFuture(
          ErrorCode.MANIFEST_UNKNOWN.exception(
              "manifest " + repo + ":" + tag + " is unknown to upstream " + upstream.name()));
    }
    CompletableFuture<ManifestDescriptor> answer =
        need == Need.BODY ? fetchTag(upstream, repo, tag) : headTag(upstream, repo, tag);
    return answer.whenComplete(
        (descriptor, error) -> {
          if (error != null && isMissing(Futures.unwrap(error))) {
            missingUpstream.mark(key, negativeTtl());
          }
        });
  }

  private static boolean isMissing(Throwable error) {
    return error instanceof RegistryException registryError
        && (registryError.code() == ErrorCode.MANIFEST_UNKNOWN
            || registryError.code() == ErrorCode.NAME_UNKNOWN);
  }

  private Duration negativeTtl() {
    return tagTtl.compareTo(NEGATIVE_TTL) < 0 ? tagTtl : NEGATIVE_TTL;
  }

  /** The cached tag, whatever its age, when its manifest is stored. */
  private Optional<ManifestDescriptor> cachedTag(String registry, RepositoryName repo, String tag)
      throws Exception {
    Optional<TagRecord> record = tags.get(registry, repo.value(), tag);
    if (record.isEmpty()) {
      return Optional.empty();
    }
    return stored.describe(record.get().digest());
  }

  private CompletableFuture<ManifestDescriptor> confirmOrRefetch(
      Upstream upstream,
      RepositoryName repo,
      String tag,
      ManifestHead head,
      ManifestDescriptor cached) {
    if (head.digest().isPresent() && head.digest().get().equals(cached.digest())) {
      return supplyBlocking(
          () -> {
            remember(upstream.name(), repo, tag, cached.digest(), cached.mediaType());
            return cached;
          },
          disk);
    }
    log.info(
        "tag {}/{}:{} changed upstream; fetching the new manifest", upstream.name(), repo, tag);
    return fetchTag(upstream, repo, tag);
  }

  private ManifestDescriptor serveStale(
      Upstream upstream,
      RepositoryName repo,
      String tag,
      ManifestDescriptor cached,
      Throwable error) {
    Throwable cause = Futures.unwrap(error);
    if (cause instanceof RegistryException registryError && !isUpstreamTrouble(registryError)) {
      throw registryError;
    }
    if (staleWarned.markIfUnmarked(
        new TagKey(upstream.name(), repo, tag), STALE_WARNING_INTERVAL)) {
      log.warn(
          "serving cached {}/{}:{} ({}) stale: upstream could not confirm it: {}",
          upstream.name(),
          repo,
          tag,
          cached.digest(),
          cause.getMessage());
    }
    return cached.withOutcome(CacheOutcome.STALE);
  }

  /**
   * Errors that say the upstream cannot answer now (or no longer has the tag), not that we asked
   * wrong.
   */
  private static boolean isUpstreamTrouble(RegistryException error) {
    return switch (error.code()) {
      case UNAVAILABLE, TOOMANYREQUESTS, MANIFEST_UNKNOWN, NAME_UNKNOWN, DENIED, UNKNOWN -> true;
      default -> false;
    };
  }

  private CompletableFuture<ManifestDescriptor> fetchTag(
      Upstream upstream, RepositoryName repo, String tag) {
    return upstream
        .getManifest(repo, Reference.parse(tag), MediaTypes.ALL_MANIFESTS)
        .thenApplyAsync(
            response -> {
              ManifestDescriptor descriptor =
                  stored
                      .store(response.digest(), response.body(), response.mediaType())
                      .descriptor();
              remember(upstream.name(), repo, tag, descriptor.digest(), descriptor.mediaType());
              return descriptor;
            },
            disk);
  }

  /**
   * A HEAD for an uncached tag is answered by an upstream HEAD, which Docker Hub does not meter.
   */
  private CompletableFuture<ManifestDescriptor> headTag(
      Upstream upstream, RepositoryName repo, String tag) {
    return upstream
        .headManifest(repo, Reference.parse(tag), MediaTypes.ALL_MANIFESTS)
        .thenCompose(
            head -> {
              if (head.digest().isEmpty()) {
                return fetchTag(upstream, repo, tag);
              }
              Digest digest = head.digest().get();
              return supplyBlocking(
                  () -> {
                    remember(upstream.name(), repo, tag, digest, head.mediaType());
                    return new ManifestDescriptor(
                        digest, head.mediaType(), head.contentLength(), CacheOutcome.MISS);
                  },
                  disk);
            });
  }

  private void remember(
      String registry, RepositoryName repo, String tag, Digest digest, String mediaType) {
    TagRecord record = new TagRecord(digest, mediaType, clock.instant());
    try {
      tags.put(registry, repo.value(), tag, record);
      recentTags.put(new TagKey(registry, repo, tag), record);
    } catch (java.io.IOException e) {
      throw new RegistryException(ErrorCode.UNKNOWN, "cannot record tag " + tag, e);
    }
  }

  /** One tag of one repository of one upstream. */
  private record TagKey(String registry, RepositoryName repo, String tag) {}

  /** What makes two tag resolutions the same upstream request, whatever the clients accept. */
  private record FetchKey(String registry, RepositoryName repo, String tag, Need need) {}
}
