package dev.stevedore.server.preload;

import dev.stevedore.core.cache.BlobFetch;
import dev.stevedore.core.cache.BlobSource;
import dev.stevedore.core.cache.ImageFetcher;
import dev.stevedore.core.cache.ManifestContent;
import dev.stevedore.core.cache.ManifestDescriptor;
import dev.stevedore.core.model.Descriptor;
import dev.stevedore.core.model.ImageReference;
import dev.stevedore.core.model.ManifestDocument;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the fetch of one image has done so far: manifests seen, blobs expected, blobs done (fetched
 * or already cached) and bytes, including those of downloads in flight. Listener callbacks come
 * from pool threads; readers poll from another thread, so every method is synchronized.
 */
public final class ImageProgress implements ImageFetcher.Listener {

  /** Reads a stored manifest, so the blobs of an image are known before they are fetched. */
  @FunctionalInterface
  public interface ManifestReader {
    Optional<ManifestContent> read(Digest digest) throws IOException;

    ManifestReader NONE = digest -> Optional.empty();
  }

  private final ImageReference image;
  private final ManifestReader manifestReader;
  private final Map<Digest, Long> expected = new HashMap<>();
  private final Map<Digest, BlobFetch> inFlight = new HashMap<>();
  private final Set<Digest> fetched = new HashSet<>();
  private int manifests;
  private int blobsDone;
  private int blobsFetched;
  private long bytesDone;
  private long bytesFetched;

  public ImageProgress(ImageReference image, ManifestReader manifestReader) {
    this.image = Objects.requireNonNull(image, "image");
    this.manifestReader = Objects.requireNonNull(manifestReader, "manifestReader");
  }

  public ImageReference image() {
    return image;
  }

  @Override
  public void manifest(ImageReference image, ManifestDescriptor manifest) {
    Optional<ManifestDocument> document = parse(manifest);
    synchronized (this) {
      manifests++;
      if (document.orElse(null) instanceof ManifestDocument.Image single) {
        single
            .blobs()
            .forEach(blob -> expected.putIfAbsent(blob.digest(), Math.max(0, blob.size())));
      }
    }
  }

  /** The stored manifest, parsed; progress output only, so any trouble just means "unknown yet". */
  private Optional<ManifestDocument> parse(ManifestDescriptor manifest) {
    try {
      return manifestReader
          .read(manifest.digest())
          .map(content -> ManifestDocument.parse(content.descriptor().mediaType(), content.body()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public synchronized void blobStarted(ImageReference image, Descriptor blob, BlobSource source) {
    expected.putIfAbsent(blob.digest(), Math.max(0, blob.size()));
    if (source instanceof BlobFetch download) {
      inFlight.put(blob.digest(), download);
      fetched.add(blob.digest());
    }
  }

  @Override
  public synchronized void blobDone(ImageReference image, Descriptor blob) {
    inFlight.remove(blob.digest());
    long size = Math.max(0, blob.size());
    blobsDone++;
    bytesDone += size;
    if (fetched.contains(blob.digest())) {
      blobsFetched++;
      bytesFetched += size;
    }
  }

  public synchronized int manifests() {
    return manifests;
  }

  /** Blobs known to be wanted so far (all of them once every manifest is in). */
  public synchronized int expectedBlobs() {
    return expected.size();
  }

  public synchronized long expectedBytes() {
    return expected.values().stream().mapToLong(Long::longValue).sum();
  }

  public synchronized int blobsDone() {
    return blobsDone;
  }

  /** Blobs this fetch downloaded (the rest were cached already). */
  public synchronized int blobsFetched() {
    return blobsFetched;
  }

  public synchronized long bytesFetched() {
    return bytesFetched;
  }

  /** Bytes of finished blobs plus what downloads in flight have written so far. */
  public synchronized long currentBytes() {
    long current = bytesDone;
    for (BlobFetch download : inFlight.values()) {
      current += download.available();
    }
    return current;
  }
}
