package dev.stevedore.core.cache;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.storage.BlobInfo;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.BlobWriter;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.MediaTypeStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Objects;
import java.util.Optional;

/**
 * Manifests kept as blobs plus their media type. Every method does blocking file I/O: call it on
 * the disk executor.
 */
public final class StoredManifests {

  private final BlobStore blobs;
  private final MediaTypeStore mediaTypes;

  public StoredManifests(BlobStore blobs, MediaTypeStore mediaTypes) {
    this.blobs = Objects.requireNonNull(blobs, "blobs");
    this.mediaTypes = Objects.requireNonNull(mediaTypes, "mediaTypes");
  }

  /** Digest, media type and size of a stored manifest. */
  public Optional<ManifestDescriptor> describe(Digest digest) throws IOException {
    Optional<String> mediaType = mediaTypes.get(digest);
    if (mediaType.isEmpty()) {
      return Optional.empty();
    }
    return blobs
        .stat(digest)
        .map(
            info -> new ManifestDescriptor(digest, mediaType.get(), info.size(), CacheOutcome.HIT));
  }

  /** The exact bytes of a stored manifest. */
  public Optional<ManifestContent> read(Digest digest) throws IOException {
    Optional<String> mediaType = mediaTypes.get(digest);
    if (mediaType.isEmpty()) {
      return Optional.empty();
    }
    Optional<BlobInfo> info = blobs.stat(digest);
    if (info.isEmpty()) {
      return Optional.empty();
    }
    byte[] body = Files.readAllBytes(info.get().path());
    return Optional.of(
        new ManifestContent(
            new ManifestDescriptor(digest, mediaType.get(), body.length, CacheOutcome.HIT), body));
  }

  /** Stores a manifest's exact bytes under {@code digest}, which they must hash to. */
  public ManifestContent store(Digest digest, byte[] body, String mediaType) {
    try (BlobWriter writer = blobs.create(digest)) {
      writer.write(ByteBuffer.wrap(body));
      writer.commit();
      mediaTypes.put(digest, mediaType);
    } catch (IOException e) {
      throw new RegistryException(ErrorCode.UNKNOWN, "cannot store manifest " + digest, e);
    }
    return new ManifestContent(
        new ManifestDescriptor(digest, mediaType, body.length, CacheOutcome.MISS), body);
  }
}
