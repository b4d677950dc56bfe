package dev.stevedore.core.cache;

import static dev.stevedore.core.cache.Futures.supplyBlocking;

import dev.stevedore.core.cluster.ClaimNames;
import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.upstream.ManifestHead;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.TagRecord;
import java.io.IOException;
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
 * remembered briefly. Concurrent resolutions of one tag make one upstream request. The tag record
 * is read once per miss: the record that turned out too old is the one revalidated. What a fetch or
 * a confirmation leaves behind is written by {@link ManifestRecords}.
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
  private final ManifestRecords records;
  private final Executor disk;
  private final Clock clock;
  private final Duration tagTtl;
  private final SingleFlight<FetchKey, Served<ManifestDescriptor>> resolutions =
      new SingleFlight<>();
  private final TimedMarks<TagKey> missingUpstream;
  private final TimedMarks<TagKey> staleWarned;

  private final ClusterOnce once;

  TagResolver(
      StoredManifests stored,
      ManifestRecords records,
      Executor disk,
      Clock clock,
      Duration tagTtl,
      ClusterOnce once) {
    this.once = Objects.requireNonNull(once, "once");
    this.stored = Objects.requireNonNull(stored, "stored");
    this.records = Objects.requireNonNull(records, "records");
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
   * The tag's descriptor in a media type the client accepts, and how the cache came by it; {@code
   * MANIFEST_UNKNOWN} when the tag exists only in a type it does not accept (as the distribution
   * registry answers).
   */
  CompletableFuture<Served<ManifestDescriptor>> resolve(ManifestRequest request, Need need) {
    return resolveAnyType(request, need).thenApply(served -> negotiate(request, served));
  }

  private CompletableFuture<Served<ManifestDescriptor>> resolveAnyType(
      ManifestRequest request, Need need) {
    TagKey tag = request.tag();
    Optional<ManifestDescriptor> hot = freshInMemory(tag);
    if (hot.isPresent()) {
      return CompletableFuture.completedFuture(Served.hit(hot.get()));
    }
    return supplyBlocking(() -> lookUp(tag), disk)
        .thenCompose(
            cached ->
                cached.servable()
                    ? CompletableFuture.completedFuture(Served.hit(cached.manifest().get()))
                    : resolutions.run(
                        new FetchKey(tag, need),
                        () -> revalidateOnce(request, need, cached.manifest()),
                        shared -> shared.as(CacheOutcome.COALESCED)));
  }

  /**
   * Revalidates the tag once for the whole cluster: a replica that finds another one doing it
   * serves what that one records in the shared store.
   */
  private CompletableFuture<Served<ManifestDescriptor>> revalidateOnce(
      ManifestRequest request, Need need, Optional<ManifestDescriptor> cached) {
    TagKey tag = request.tag();
    return once.run(
        ClaimNames.tag(tag.registry(), request.repository(), tag.tag()),
        () -> lookUp(tag).servable(),
        () ->
            supplyBlocking(() -> lookUp(tag), disk)
                .thenApply(
                    fresh -> new Served<>(fresh.manifest().orElseThrow(), CacheOutcome.COALESCED)),
        () -> revalidate(request, need, cached));
  }

  private static Served<ManifestDescriptor> negotiate(
      ManifestRequest request, Served<ManifestDescriptor> served) {
    String mediaType = served.value().mediaType();
    if (request.accept().accepts(mediaType)) {
      return served;
    }
    throw ErrorCode.MANIFEST_UNKNOWN.exception(
        "manifest "
            + request.describe()
            + " is a "
            + mediaType
            + ", which the Accept header does not include");
  }

  /** A fresh tag whose record and manifest are both in memory: answered without any I/O. */
  private Optional<ManifestDescriptor> freshInMemory(TagKey key) {
    Optional<TagRecord> record = records.recentTag(key);
    if (record.isEmpty() || !isFresh(record.get())) {
      return Optional.empty();
    }
    return stored.cached(record.get().digest()).map(ManifestContent::descriptor);
  }

  /** The tag's record, read from disk once, with the manifest it names when that is stored. */
  private CachedTag lookUp(TagKey tag) throws IOException {
    Optional<TagRecord> record = records.readTag(tag);
    if (record.isEmpty()) {
      return CachedTag.NONE;
    }
    return new CachedTag(stored.describe(record.get().digest()), isFresh(record.get()));
  }

  private boolean isFresh(TagRecord record) {
    return record.confirmedAt().plus(tagTtl).isAfter(clock.instant());
  }

  /**
   * @param cached the manifest the tag's record names, whatever the record's age, when it is stored
   */
  private CompletableFuture<Served<ManifestDescriptor>> revalidate(
      ManifestRequest request, Need need, Optional<ManifestDescriptor> cached) {
    // a resolution that finished just before this one joined may have confirmed the tag already
    Optional<ManifestDescriptor> fresh = freshInMemory(request.tag());
    if (fresh.isPresent()) {
      return CompletableFuture.completedFuture(Served.hit(fresh.get()));
    }
    if (cached.isEmpty()) {
      return uncachedTag(request, need);
    }
    return request
        .upstream()
        .headManifest(request.repository(), request.reference(), MediaTypes.ALL_MANIFESTS)
        .thenCompose(head -> confirmOrRefetch(request, head, cached.get()))
        .exceptionally(error -> serveStale(request, cached.get(), error));
  }

  /**
   * A tag we hold nothing for: fetched (or, for a HEAD, looked up with HEAD). An upstream 404 is
   * remembered briefly, so clients retrying a missing tag do not each reach the upstream; it was
   * asked with every manifest type, so the 404 means the tag is missing for every client.
   */
  private CompletableFuture<Served<ManifestDescriptor>> uncachedTag(
      ManifestRequest request, Need need) {
    TagKey key = request.tag();
    if (missingUpstream.isMarked(key)) {
      return CompletableFuture.failedFuture(
          ErrorCode.MANIFEST_UNKNOWN.exception(
              "manifest "
                  + request.repository()
                  + ":"
                  + key.tag()
                  + " is unknown to upstream "
                  + key.registry()));
    }
    CompletableFuture<Served<ManifestDescriptor>> answer =
        need == Need.BODY ? fetchTag(request) : headTag(request);
    return answer.whenComplete(
        (served, error) -> {
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

  private CompletableFuture<Served<ManifestDescriptor>> confirmOrRefetch(
      ManifestRequest request, ManifestHead head, ManifestDescriptor cached) {
    if (head.digest().isPresent() && head.digest().get().equals(cached.digest())) {
      return supplyBlocking(
          () -> {
            records.confirmTag(request.tag(), cached.digest(), cached.mediaType());
            return Served.hit(cached);
          },
          disk);
    }
    log.info(
        "tag {}/{}:{} changed upstream; fetching the new manifest",
        request.registry(),
        request.repository(),
        request.reference().value());
    return fetchTag(request);
  }

  private Served<ManifestDescriptor> serveStale(
      ManifestRequest request, ManifestDescriptor cached, Throwable error) {
    Throwable cause = Futures.unwrap(error);
    if (cause instanceof RegistryException registryError && !isUpstreamTrouble(registryError)) {
      throw registryError;
    }
    if (staleWarned.markIfUnmarked(request.tag(), STALE_WARNING_INTERVAL)) {
      log.warn(
          "serving cached {}/{}:{} ({}) stale: upstream could not confirm it: {}",
          request.registry(),
          request.repository(),
          request.reference().value(),
          cached.digest(),
          cause.getMessage());
    }
    return new Served<>(cached, CacheOutcome.STALE);
  }

  /**
   * Errors that say the upstream cannot answer now (or no longer has the tag), not that we asked
   * wrong.
   */
  private static boolean isUpstreamTrouble(RegistryException error) {
    return switch (error.code()) {
      case UNAVAILABLE, TOOMANYREQUESTS, MANIFEST_UNKNOWN, NAME_UNKNOWN, DENIED -> true;
      default -> false;
    };
  }

  private CompletableFuture<Served<ManifestDescriptor>> fetchTag(ManifestRequest request) {
    return request
        .upstream()
        .getManifest(request.repository(), request.reference(), MediaTypes.ALL_MANIFESTS)
        .thenApplyAsync(
            response -> Served.miss(records.storeTagged(request.tag(), response).descriptor()),
            disk);
  }

  /**
   * A HEAD for an uncached tag is answered by an upstream HEAD, which Docker Hub does not meter.
   */
  private CompletableFuture<Served<ManifestDescriptor>> headTag(ManifestRequest request) {
    return request
        .upstream()
        .headManifest(request.repository(), request.reference(), MediaTypes.ALL_MANIFESTS)
        .thenCompose(
            head -> {
              if (head.digest().isEmpty()) {
                return fetchTag(request);
              }
              Digest digest = head.digest().get();
              return supplyBlocking(
                  () -> {
                    records.confirmTag(request.tag(), digest, head.mediaType());
                    return Served.miss(
                        new ManifestDescriptor(digest, head.mediaType(), head.contentLength()));
                  },
                  disk);
            });
  }

  /** What the disk holds for a tag: the manifest its record names, if stored, and its age. */
  private record CachedTag(Optional<ManifestDescriptor> manifest, boolean fresh) {
    static final CachedTag NONE = new CachedTag(Optional.empty(), false);

    boolean servable() {
      return fresh && manifest.isPresent();
    }
  }

  /** What makes two tag resolutions the same upstream request, whatever the clients accept. */
  private record FetchKey(TagKey tag, Need need) {}
}
