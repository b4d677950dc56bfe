package dev.stevedore.core.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.storage.BlobReader;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.BlobWriter;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.MediaTypeStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manifests kept as blobs plus their media type, with the hot ones also in memory (bounded by
 * bytes). {@link #cached} only looks in memory and never blocks; every other method may do blocking
 * file I/O: call it on the disk executor.
 */
public final class StoredManifests {
  private static final Logger log = LoggerFactory.getLogger(StoredManifests.class);

  /** Memory for hot manifests; they are small (a few KiB), so this holds thousands. */
  private static final long MEMORY_BYTES = 32L * 1024 * 1024;

  private final BlobStore blobs;
  private final MediaTypeStore mediaTypes;
  private final Cache<Digest, ManifestContent> memory =
      Caffeine.newBuilder()
          .maximumWeight(MEMORY_BYTES)
          .<Digest, ManifestContent>weigher((digest, content) -> content.body().length + 200)
          .build();

  public StoredManifests(BlobStore blobs, MediaTypeStore mediaTypes) {
    this.blobs = Objects.requireNonNull(blobs, "blobs");
    this.mediaTypes = Objects.requireNonNull(mediaTypes, "mediaTypes");
  }

  /** A stored manifest that is in memory; never touches the disk. */
  public Optional<ManifestContent> cached(Digest digest) {
    ManifestContent hot = memory.getIfPresent(digest);
    if (hot == null) {
      return Optional.empty();
    }
    blobs.recordUse(digest, hot.body().length);
    return Optional.of(hot);
  }

  /** Digest, media type and size of a stored manifest. */
  public Optional<ManifestDescriptor> describe(Digest digest) throws IOException {
    Optional<ManifestContent> hot = cached(digest);
    if (hot.isPresent()) {
      return Optional.of(hot.get().descriptor());
    }
    Optional<String> mediaType = mediaTypes.get(digest);
    if (mediaType.isEmpty()) {
      return Optional.empty();
    }
    return blobs
        .stat(digest)
        .map(info -> new ManifestDescriptor(digest, mediaType.get(), info.size()));
  }

  /** The exact bytes of a stored manifest. */
  public Optional<ManifestContent> read(Digest digest) throws IOException {
    Optional<ManifestContent> hot = cached(digest);
    if (hot.isPresent()) {
      return hot;
    }
    Optional<String> mediaType = mediaTypes.get(digest);
    if (mediaType.isEmpty()) {
      return Optional.empty();
    }
    Optional<BlobReader> stored = blobs.open(digest);
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    byte[] body;
    try (BlobReader reader = stored.get()) {
      body = reader.readAllBytes();
    }
    ManifestContent content =
        new ManifestContent(new ManifestDescriptor(digest, mediaType.get(), body.length), body);
    memory.put(digest, content);
    return Optional.of(content);
  }

  /**
   * Stores a manifest's exact bytes under {@code digest}, which they must hash to. The media type
   * recorded by the first store of a digest stays: a later store of the same bytes under another
   * type (another upstream's claim) neither changes the record nor the copy in memory, and gets the
   * manifest back with the recorded type.
   */
  public ManifestContent store(Digest digest, byte[] body, String mediaType) {
    String recorded;
    try (BlobWriter writer = blobs.create(digest)) {
      writer.write(ByteBuffer.wrap(body));
      writer.commit();
      recorded = mediaTypes.putIfAbsent(digest, mediaType);
    } catch (IOException e) {
      throw RegistryException.internal("cannot store manifest " + digest, e);
    }
    if (!recorded.equals(mediaType)) {
      log.warn(
          "manifest {} arrived as {} but is recorded as {}; keeping the first record",
          digest,
          mediaType,
          recorded);
    }
    ManifestContent content =
        new ManifestContent(new ManifestDescriptor(digest, recorded, body.length), body);
    memory.put(digest, content);
    return content;
  }
}
