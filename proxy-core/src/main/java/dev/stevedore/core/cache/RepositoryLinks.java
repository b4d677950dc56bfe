package dev.stevedore.core.cache;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.Descriptor;
import dev.stevedore.core.model.ManifestDocument;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.LinkStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a repository may be served a digest the cache holds. Content is stored once by
 * digest and shared; a repository of an upstream is served it only when it has a link to it: the
 * digest was fetched through it, is referenced by a manifest stored or tagged through it, was
 * loaded for it (preload, import), or an upstream {@code HEAD} in that repository's scope confirmed
 * it. Without a link the cache asks that {@code HEAD} first and remembers the answer: a yes as a
 * link, a no for a short while. So a client that learns the digest of a private layer cannot read
 * it through a repository it is allowed to pull.
 *
 * <p>Data directories from before links existed are upgraded lazily, with no startup scan: a
 * repository's own tag records count as links (a manifest reached through a tag of the repository
 * links itself and everything it references on first use, offline too), and anything else is
 * confirmed by one upstream {@code HEAD} on first use. Offline, an unlinked digest requested by
 * digest is refused.
 *
 * <p>Methods without a future do blocking file I/O: call them on the disk executor.
 */
public final class RepositoryLinks {
  private static final Logger log = LoggerFactory.getLogger(RepositoryLinks.class);

  /** How long an upstream's "that repository has no such digest" is believed by default. */
  public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(30);

  /** Index → image manifest → blobs, with room for an index of indexes. */
  private static final int MAX_DEPTH = 3;

  /** What is confirmed: a blob or a manifest (they are asked about differently). */
  public enum Kind {
    BLOB(ErrorCode.BLOB_UNKNOWN),
    MANIFEST(ErrorCode.MANIFEST_UNKNOWN);

    private final ErrorCode unknown;

    Kind(ErrorCode unknown) {
      this.unknown = unknown;
    }
  }

  private final LinkStore store;
  private final Optional<StoredManifests> manifests;
  private final Executor disk;
  private final Duration negativeTtl;
  private final TimedMarks<Key> refused;
  private final SingleFlight<Key, Void> confirmations = new SingleFlight<>();

  public RepositoryLinks(
      LinkStore store,
      StoredManifests manifests,
      Executor disk,
      Clock clock,
      Duration negativeTtl) {
    this(
        store,
        Optional.of(Objects.requireNonNull(manifests, "manifests")),
        disk,
        clock,
        negativeTtl);
  }

  private RepositoryLinks(
      LinkStore store,
      Optional<StoredManifests> manifests,
      Executor disk,
      Clock clock,
      Duration negativeTtl) {
    this.store = Objects.requireNonNull(store, "store");
    this.manifests = manifests;
    this.disk = Objects.requireNonNull(disk, "disk");
    this.negativeTtl = Objects.requireNonNull(negativeTtl, "negativeTtl");
    this.refused = new TimedMarks<>(Objects.requireNonNull(clock, "clock"));
  }

  /**
   * Links kept in memory only, for services built without shared links (tests, tools); with {@code
   * manifests} null, links of stored manifests do not reach their references.
   */
  static RepositoryLinks inMemory(StoredManifests manifests, Executor disk) {
    return new RepositoryLinks(
        new MemoryLinkStore(),
        Optional.ofNullable(manifests),
        disk,
        Clock.systemUTC(),
        DEFAULT_NEGATIVE_TTL);
  }

  /** Whether the link is known without touching the disk; never blocks. */
  public boolean cached(String upstream, RepositoryName repo, Digest digest) {
    return store.cached(upstream, repo.value(), digest);
  }

  /** Whether the repository has a link to {@code digest}. Blocking. */
  public boolean has(String upstream, RepositoryName repo, Digest digest) throws IOException {
    return store.has(upstream, repo.value(), digest);
  }

  /**
   * Records that the repository has {@code digest}. Blocking. A link that cannot be written is only
   * logged: the next request through the repository confirms it upstream again.
   */
  public void link(String upstream, RepositoryName repo, Digest digest) {
    try {
      store.put(upstream, repo.value(), digest);
      refused.clear(new Key(upstream, repo, digest, Kind.BLOB));
      refused.clear(new Key(upstream, repo, digest, Kind.MANIFEST));
    } catch (IOException | RuntimeException e) {
      log.warn("Cannot record that {}/{} has {}: {}", upstream, repo, digest, e.toString());
    }
  }

  /**
   * Links a manifest held by the repository and everything it references: the config and layers of
   * an image, the child manifests of an index and, for children already stored, theirs. A registry
   * only accepts a manifest whose references the repository holds, so they are its too. Blocking.
   */
  public void linkManifest(String upstream, RepositoryName repo, ManifestContent manifest) {
    link(upstream, repo, manifest.descriptor().digest());
    linkReferences(upstream, repo, manifest, 0);
  }

  /** Links {@code digest}, and everything it references when it is a stored manifest. Blocking. */
  public void linkStored(String upstream, RepositoryName repo, Digest digest) {
    link(upstream, repo, digest);
    readStored(digest).ifPresent(manifest -> linkReferences(upstream, repo, manifest, 0));
  }

  /**
   * Confirms with the upstream, in the repository's scope, that the repository has {@code digest},
   * and links it (a manifest with its references). Completes normally when it does; fails with
   * {@code BLOB_UNKNOWN} or {@code MANIFEST_UNKNOWN} when the upstream says it does not (remembered
   * for a short while, so repeated requests do not each ask), or with the upstream's error when it
   * could not answer. Concurrent confirmations of one link make one upstream request.
   */
  public CompletableFuture<Void> confirm(
      Upstream upstream, RepositoryName repo, Digest digest, Kind kind) {
    if (cached(upstream.name(), repo, digest)) {
      return CompletableFuture.completedFuture(null);
    }
    Key key = new Key(upstream.name(), repo, digest, kind);
    if (refused.isMarked(key)) {
      return CompletableFuture.failedFuture(notInRepository(key));
    }
    return confirmations.run(key, () -> ask(upstream, key));
  }

  private CompletableFuture<Void> ask(Upstream upstream, Key key) {
    CompletableFuture<?> head =
        key.kind() == Kind.BLOB
            ? upstream.headBlob(key.repo(), key.digest())
            : upstream
                .headManifest(key.repo(), Reference.of(key.digest()), List.of())
                .thenAccept(
                    answer -> {
                      if (answer.digest().isPresent()
                          && !answer.digest().get().equals(key.digest())) {
                        throw ErrorCode.MANIFEST_UNKNOWN.exception(
                            "upstream answered " + answer.digest().get() + " for " + key.digest());
                      }
                    });
    return head.handle(
            (answer, error) -> {
              if (error == null) {
                return true;
              }
              Throwable cause = Futures.unwrap(error);
              if (saysAbsent(cause)) {
                refused.mark(key, negativeTtl);
                log.info(
                    "{}/{} does not have {} upstream; not serving the cached copy through it",
                    key.upstream(),
                    key.repo(),
                    key.digest());
                throw notInRepository(key);
              }
              throw cause instanceof RuntimeException runtime
                  ? runtime
                  : RegistryException.internal(cause.getMessage(), cause);
            })
        .thenApplyAsync(
            confirmed -> {
              if (key.kind() == Kind.MANIFEST) {
                linkStored(key.upstream(), key.repo(), key.digest());
              } else {
                link(key.upstream(), key.repo(), key.digest());
              }
              return null;
            },
            disk);
  }

  /** An upstream answer that means "not in that repository" rather than "cannot answer now". */
  private static boolean saysAbsent(Throwable error) {
    return error instanceof RegistryException registryError
        && switch (registryError.code()) {
          case BLOB_UNKNOWN, MANIFEST_UNKNOWN, NAME_UNKNOWN, DENIED, UNAUTHORIZED -> true;
          default -> false;
        };
  }

  private static RegistryException notInRepository(Key key) {
    return key.kind()
        .unknown
        .exception(
            (key.kind() == Kind.BLOB ? "blob " : "manifest ")
                + key.digest()
                + " is unknown to repository "
                + key.repo()
                + " of "
                + key.upstream());
  }

  private void linkReferences(
      String upstream, RepositoryName repo, ManifestContent manifest, int depth) {
    ManifestDocument document;
    try {
      document = ManifestDocument.parse(manifest.descriptor().mediaType(), manifest.body());
    } catch (RegistryException unparseable) {
      return; // a manifest we cannot read references nothing we could serve by it
    }
    if (document instanceof ManifestDocument.Image image) {
      image.blobs().forEach(blob -> link(upstream, repo, blob.digest()));
      return;
    }
    for (Descriptor child : ((ManifestDocument.Index) document).manifests()) {
      link(upstream, repo, child.digest());
      if (depth + 1 < MAX_DEPTH) {
        readStored(child.digest())
            .ifPresent(stored -> linkReferences(upstream, repo, stored, depth + 1));
      }
    }
  }

  private Optional<ManifestContent> readStored(Digest digest) {
    if (manifests.isEmpty()) {
      return Optional.empty();
    }
    try {
      return manifests.get().read(digest);
    } catch (IOException e) {
      log.warn("Cannot read stored manifest {}: {}", digest, e.toString());
      return Optional.empty();
    }
  }

  /** One link of one repository of one upstream, and what it is for. */
  private record Key(String upstream, RepositoryName repo, Digest digest, Kind kind) {}

  /** Links that live as long as the process. */
  private static final class MemoryLinkStore implements LinkStore {
    private final Map<String, Boolean> links = new ConcurrentHashMap<>();

    @Override
    public boolean cached(String registry, String repository, Digest digest) {
      return links.containsKey(registry + "/" + repository + "@" + digest);
    }

    @Override
    public boolean has(String registry, String repository, Digest digest) {
      return cached(registry, repository, digest);
    }

    @Override
    public void put(String registry, String repository, Digest digest) {
      links.put(registry + "/" + repository + "@" + digest, Boolean.TRUE);
    }
  }
}
