package dev.stevedore.core.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.upstream.ManifestResponse;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.TagRecord;
import dev.stevedore.storage.TagStore;
import java.io.IOException;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * The one writer of what the manifest path caches: a fetched manifest's bytes, the tag records that
 * point at manifests, and the repository links a fetched or tagged manifest implies. {@link
 * TagResolver} and {@link ManifestService} decide when; this class decides what a fetch or a
 * confirmation leaves behind, so the two paths cannot drift apart. It also reads tag records, so
 * the copy of a tag held in memory always is the last one written or read.
 *
 * <p>Every method but {@link #recentTag} may do blocking file I/O: call it on the disk executor.
 */
final class ManifestRecords {
  private final StoredManifests stored;
  private final TagStore tags;
  private final RepositoryLinks links;
  private final Clock clock;

  /**
   * Tag records read or written lately, so a hot tag is answered without a disk read. A record
   * another process (preload, import) wrote meanwhile is seen within a tag TTL at the latest.
   */
  private final Cache<TagKey, TagRecord> recentTags =
      Caffeine.newBuilder().maximumSize(10_000).build();

  ManifestRecords(StoredManifests stored, TagStore tags, RepositoryLinks links, Clock clock) {
    this.stored = Objects.requireNonNull(stored, "stored");
    this.tags = Objects.requireNonNull(tags, "tags");
    this.links = Objects.requireNonNull(links, "links");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The tag's record if it is in memory; never touches the disk. */
  Optional<TagRecord> recentTag(TagKey key) {
    return Optional.ofNullable(recentTags.getIfPresent(key));
  }

  /** The tag's record from disk, kept in memory for the next request. */
  Optional<TagRecord> readTag(TagKey key) throws IOException {
    Optional<TagRecord> record = tags.get(key.registry(), key.repo().value(), key.tag());
    record.ifPresent(found -> recentTags.put(key, found));
    return record;
  }

  /** The upstream says the tag names {@code digest} now. */
  void confirmTag(TagKey key, Digest digest, String mediaType) {
    TagRecord record = new TagRecord(digest, mediaType, clock.instant());
    try {
      tags.put(key.registry(), key.repo().value(), key.tag(), record);
      recentTags.put(key, record);
    } catch (IOException e) {
      throw RegistryException.internal("cannot record tag " + key.tag(), e);
    }
  }

  /** A manifest fetched by tag: stored, and the tag confirmed to name it. */
  ManifestContent storeTagged(TagKey key, ManifestResponse response) {
    ManifestContent content = store(response.digest(), response);
    ManifestDescriptor descriptor = content.descriptor();
    confirmTag(key, descriptor.digest(), descriptor.mediaType());
    return content;
  }

  /**
   * A manifest fetched by digest through a repository: stored, and linked there with everything it
   * references.
   */
  ManifestContent storeFetched(
      String registry, RepositoryName repo, Digest digest, ManifestResponse response) {
    ManifestContent content = store(digest, response);
    links.linkManifest(registry, repo, content);
    return content;
  }

  /**
   * A stored manifest the repository holds (fetched, tagged or linked through it): linked with
   * everything it references, where a crash or an older version left gaps.
   */
  void linkHeld(String registry, RepositoryName repo, ManifestContent content) {
    links.linkManifest(registry, repo, content);
  }

  /** A tag of the repository resolved to {@code digest}, so the repository has it. */
  void linkTagged(String registry, RepositoryName repo, Digest digest) {
    links.linkStored(registry, repo, digest);
  }

  private ManifestContent store(Digest digest, ManifestResponse response) {
    return stored.store(digest, response.body(), response.mediaType());
  }
}
