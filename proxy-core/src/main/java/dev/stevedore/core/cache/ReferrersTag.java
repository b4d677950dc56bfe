package dev.stevedore.core.cache;

import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.upstream.ReferrersResponse;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.TagRecord;
import dev.stevedore.storage.TagStore;
import java.io.IOException;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The referrers tag schema in the local cache: the OCI index of a subject's referrers kept as the
 * tag {@code sha256-<hex of the subject>} of its repository, as the distribution spec's fallback
 * has it. A preload or an imported bundle leaves it there, so a cache whose upstream cannot answer
 * the referrers API (offline, or without the API) still answers {@code GET /referrers/<digest>}
 * from it, and the tag itself serves clients that use the schema. Blocking file I/O.
 */
final class ReferrersTag {
  private static final Logger log = LoggerFactory.getLogger(ReferrersTag.class);

  private final StoredManifests stored;
  private final TagStore tags;
  private final RepositoryLinks links;
  private final Clock clock;

  ReferrersTag(StoredManifests stored, TagStore tags, RepositoryLinks links, Clock clock) {
    this.stored = Objects.requireNonNull(stored, "stored");
    this.tags = Objects.requireNonNull(tags, "tags");
    this.links = Objects.requireNonNull(links, "links");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The tag-schema tag of {@code subject}: {@code sha256-<hex>}. */
  static String tagOf(Digest subject) {
    return subject.algorithm() + "-" + subject.hex();
  }

  /**
   * The index the tag names, if the cache holds the tag, the index, and it is a referrers index.
   */
  Optional<ReferrersResponse> read(String upstream, RepositoryName repository, Digest subject)
      throws IOException {
    Optional<TagRecord> tag = tags.get(upstream, repository.value(), tagOf(subject));
    if (tag.isEmpty()) {
      return Optional.empty();
    }
    Optional<ManifestContent> index = stored.read(tag.get().digest());
    if (index.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(ReferrersResponse.unfiltered(index.get().body()));
    } catch (RuntimeException e) {
      log.warn(
          "tag {} of {}/{} is no referrers index: {}",
          tagOf(subject),
          upstream,
          repository,
          e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Keeps {@code response} (an unfiltered answer) as the tag of {@code subject}, confirmed now, and
   * links the index and what it lists into the repository.
   */
  void write(String upstream, RepositoryName repository, Digest subject, ReferrersResponse response)
      throws IOException {
    Digest digest = Digest.sha256(response.index());
    stored.store(digest, response.index(), MediaTypes.OCI_INDEX);
    links.linkStored(upstream, repository, digest); // with the manifests it lists
    tags.put(
        upstream,
        repository.value(),
        tagOf(subject),
        new TagRecord(digest, MediaTypes.OCI_INDEX, clock.instant()));
  }
}
