package dev.stevedore.core.cache;

import static dev.stevedore.core.cache.Futures.supplyBlocking;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.upstream.ReferrersResponse;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.TagStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OCI 1.1 referrers API through the cache (signatures, SBOMs, attestations of a manifest). An
 * answer is cached per upstream, repository, subject digest and {@code artifactType} like a tag:
 * fresh for the tag TTL, then revalidated with a {@code GET} (the API has no {@code HEAD}), and
 * served stale when the upstream cannot answer, as {@link TagResolver} serves a tag. "This upstream
 * has no referrers API" is an answer too, cached the same way, so clients falling back to the tag
 * schema do not each ask. Concurrent requests for one key make one upstream request.
 *
 * <p>The manifests an index lists are linked into the repository ({@link RepositoryLinks}): the
 * upstream named them in its scope, so the pulls by digest that follow need no confirmation.
 *
 * <p>When the upstream has no answer — no referrers API (an offline upstream has none), or it
 * cannot answer and nothing is cached — the answer is the index the cache holds as the subject's
 * tag-schema tag ({@link ReferrersTag}), which a preload or an imported bundle left there;
 * otherwise the upstream's answer stands. {@link #keepAsTag} writes that tag.
 *
 * <p>Answers are kept in memory only, bounded by size: an index is small and one {@code GET} away,
 * so after a restart each key costs one upstream request, and a record format on disk (read by
 * every replica of a cluster) would cost more than it saves. The links, which matter for the pulls
 * that follow, are persisted by {@link RepositoryLinks}.
 */
public final class ReferrersService {
  private static final Logger log = LoggerFactory.getLogger(ReferrersService.class);
  private static final Duration STALE_WARNING_INTERVAL = Duration.ofMinutes(1);
  private static final long MAX_CACHED_BYTES = 32L * 1024 * 1024;

  private final RepositoryLinks links;
  private final ReferrersTag tagSchema;
  private final Executor disk;
  private final Clock clock;
  private final Duration ttl;
  private final Cache<Key, Answer> answers =
      Caffeine.newBuilder()
          .maximumWeight(MAX_CACHED_BYTES)
          .weigher((Key key, Answer answer) -> answer.weight())
          .build();
  private final SingleFlight<Key, Served<Optional<ReferrersResponse>>> fetches =
      new SingleFlight<>();
  private final TimedMarks<Key> staleWarned;

  /**
   * @param ttl how long an answer is served without asking the upstream again (the tag TTL)
   */
  public ReferrersService(
      StoredManifests stored,
      TagStore tags,
      RepositoryLinks links,
      Executor disk,
      Clock clock,
      Duration ttl) {
    this.links = Objects.requireNonNull(links, "links");
    this.tagSchema = new ReferrersTag(stored, tags, links, clock);
    this.disk = Objects.requireNonNull(disk, "disk");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ttl = Objects.requireNonNull(ttl, "ttl");
    this.staleWarned = new TimedMarks<>(clock);
  }

  /**
   * The referrers of {@code subject} in {@code repository}, filtered by {@code artifactType} when
   * the upstream can; empty when the upstream has no referrers API.
   */
  public CompletableFuture<Served<Optional<ReferrersResponse>>> referrers(
      Upstream upstream, RepositoryName repository, Digest subject, Optional<String> artifactType) {
    Key key = new Key(upstream.name(), repository, subject, artifactType);
    Answer cached = answers.getIfPresent(key);
    CompletableFuture<Served<Optional<ReferrersResponse>>> answer =
        cached != null && isFresh(cached)
            ? CompletableFuture.completedFuture(Served.hit(cached.response()))
            : fetches.run(
                key,
                () -> fetch(upstream, key, cached),
                shared -> shared.as(CacheOutcome.COALESCED));
    return answer
        .handle(
            (served, error) -> {
              if (error == null && served.value().isPresent()) {
                return answer;
              }
              if (error != null && !isTrouble(error)) {
                return answer;
              }
              return supplyBlocking(() -> tagSchema.read(key.upstream(), repository, subject), disk)
                  .thenCompose(
                      tagged ->
                          tagged.isPresent()
                              ? CompletableFuture.completedFuture(Served.hit(tagged))
                              : answer);
            })
        .thenCompose(Function.identity());
  }

  /**
   * Keeps {@code response}, an unfiltered answer for {@code subject}, as its tag-schema tag {@code
   * sha256-<hex>} in {@code repository}, so this cache answers it without the upstream; blocking.
   *
   * @return the tag
   */
  public String keepAsTag(
      Upstream upstream, RepositoryName repository, Digest subject, ReferrersResponse response)
      throws IOException {
    tagSchema.write(upstream.name(), repository, subject, response);
    return ReferrersTag.tagOf(subject);
  }

  private CompletableFuture<Served<Optional<ReferrersResponse>>> fetch(
      Upstream upstream, Key key, Answer cached) {
    Answer latest = answers.getIfPresent(key); // a fetch that just finished may have answered
    if (latest != null && isFresh(latest)) {
      return CompletableFuture.completedFuture(Served.hit(latest.response()));
    }
    return upstream
        .referrers(key.repository(), key.subject(), key.artifactType())
        .thenApplyAsync(
            response -> {
              linkListed(key, response);
              answers.put(key, new Answer(response, clock.instant()));
              boolean same = cached != null && cached.sameAs(response);
              return same ? Served.hit(response) : Served.miss(response);
            },
            disk)
        .exceptionally(error -> serveStale(key, cached, error));
  }

  /** Links what the index lists; blocking, on the disk executor. */
  private void linkListed(Key key, Optional<ReferrersResponse> response) {
    if (response.isEmpty()) {
      return;
    }
    for (Digest listed : response.get().manifests()) {
      if (!links.cached(key.upstream(), key.repository(), listed)) {
        links.link(key.upstream(), key.repository(), listed);
      }
    }
  }

  private Served<Optional<ReferrersResponse>> serveStale(Key key, Answer cached, Throwable error) {
    Throwable cause = Futures.unwrap(error);
    if (cached == null || !isTrouble(cause)) {
      throw cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
    }
    if (staleWarned.markIfUnmarked(key, STALE_WARNING_INTERVAL)) {
      log.warn(
          "serving cached referrers of {}/{}@{} stale: upstream could not confirm them: {}",
          key.upstream(),
          key.repository(),
          key.subject(),
          cause.getMessage());
    }
    return new Served<>(cached.response(), CacheOutcome.STALE);
  }

  private static boolean isTrouble(Throwable error) {
    Throwable cause = Futures.unwrap(error);
    return !(cause instanceof RegistryException registryError) || isUpstreamTrouble(registryError);
  }

  /** As for tags: the upstream cannot answer now, not that we asked wrong. */
  private static boolean isUpstreamTrouble(RegistryException error) {
    return switch (error.code()) {
      case UNAVAILABLE, TOOMANYREQUESTS, MANIFEST_UNKNOWN, NAME_UNKNOWN, DENIED -> true;
      default -> false;
    };
  }

  private boolean isFresh(Answer answer) {
    return answer.confirmedAt().plus(ttl).isAfter(clock.instant());
  }

  /** What makes two referrers requests the same upstream request. */
  private record Key(
      String upstream, RepositoryName repository, Digest subject, Optional<String> artifactType) {}

  /** An upstream's answer and when it was last had. */
  private record Answer(Optional<ReferrersResponse> response, Instant confirmedAt) {

    int weight() {
      return 256 + response.map(r -> r.index().length).orElse(0);
    }

    boolean sameAs(Optional<ReferrersResponse> other) {
      if (response.isEmpty() || other.isEmpty()) {
        return response.isEmpty() && other.isEmpty();
      }
      return Arrays.equals(response.get().index(), other.get().index())
          && response.get().filtered() == other.get().filtered();
    }
  }
}
