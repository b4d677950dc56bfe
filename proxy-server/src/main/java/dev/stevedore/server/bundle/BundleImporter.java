package dev.stevedore.server.bundle;

import dev.stevedore.core.cache.RepositoryLinks;
import dev.stevedore.core.cache.StoredManifests;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.ImageReference;
import dev.stevedore.server.bundle.BundleBlobLoader.Loaded;
import dev.stevedore.server.bundle.BundleImagePlanner.Plan;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.BlobWriter;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.TagRecord;
import dev.stevedore.storage.TagStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads an OCI image-layout tar into the cache, in one sequential read of the archive:
 *
 * <ol>
 *   <li>an incremental bundle's record ({@link BundleRecord}, written before any blob) is checked
 *       first: every blob it leaves out must already be cached, or the import is refused before it
 *       has written anything;
 *   <li>every {@code blobs/<alg>/<hex>} entry is copied into the blob store through a {@link
 *       BlobWriter}, which verifies its digest while it is written (an entry already cached is
 *       hashed and compared all the same, so a damaged bundle is refused whatever the cache holds);
 *   <li>then each named image of {@code index.json} is walked (index → child manifests → config and
 *       layers): everything it needs must now be in the cache, and every manifest must parse;
 *   <li>only then are the manifests' media types (taken from the descriptors that reference them)
 *       and the images' tags recorded, confirmed now, and each image's repository linked to its
 *       manifests and blobs (so they are served through that repository, and only through it,
 *       without asking an upstream).
 * </ol>
 *
 * <p>Any failure before the last step (truncated or corrupt archive, digest mismatch, missing
 * content, invalid manifest) deletes the blobs this import added and records nothing, so the cache
 * is as it was. Blobs the bundle holds but no named image needs are not kept. Importing the same
 * bundle again adds nothing and re-confirms its tags. Blocking file I/O throughout.
 *
 * <p>{@link BundleBlobLoader} does the first step and {@link BundleImagePlanner} the second; this
 * class runs them, records, reports and undoes.
 */
public final class BundleImporter {
  private static final Logger log = LoggerFactory.getLogger(BundleImporter.class);

  private final BlobStore blobs;
  private final StoredManifests manifests;
  private final TagStore tags;
  private final RepositoryLinks links;
  private final Clock clock;
  private final BundleBlobLoader loader;
  private final BundleImagePlanner planner;

  public BundleImporter(
      BlobStore blobs,
      StoredManifests manifests,
      TagStore tags,
      RepositoryLinks links,
      Clock clock) {
    this.blobs = Objects.requireNonNull(blobs, "blobs");
    this.manifests = Objects.requireNonNull(manifests, "manifests");
    this.tags = Objects.requireNonNull(tags, "tags");
    this.links = Objects.requireNonNull(links, "links");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.loader = new BundleBlobLoader(blobs);
    this.planner = new BundleImagePlanner(blobs);
  }

  /** One image loaded: its full name, and its top manifest. */
  public record ImportedImage(String name, Digest digest, String mediaType, boolean tagged) {}

  /** What an import did. */
  public record Report(
      List<ImportedImage> images,
      List<String> skipped,
      int blobsAdded,
      long bytesAdded,
      int blobsPresent,
      long bytesPresent,
      int blobsUnreferenced) {
    public Report {
      images = List.copyOf(images);
      skipped = List.copyOf(skipped);
    }
  }

  /**
   * Imports the bundle at {@code file}.
   *
   * @throws BundleException if the bundle is truncated, corrupt, unsafe or incomplete; the cache is
   *     then left as it was
   * @throws IOException if the cache cannot be written
   */
  public Report importBundle(Path file) throws IOException {
    return importBundle(file, List.of(), BundleProgress.NONE);
  }

  /** Imports the bundle at {@code file}, telling {@code progress} the bytes read of it. */
  public Report importBundle(Path file, BundleProgress progress) throws IOException {
    return importBundle(file, List.of(), progress);
  }

  /** Imports the bundle at {@code file} if one of the {@code trusted} keys signed it. */
  public Report importBundle(Path file, List<PublicKey> trusted) throws IOException {
    return importBundle(file, trusted, BundleProgress.NONE);
  }

  /**
   * Imports the bundle at {@code file} if one of the {@code trusted} keys signed it (any bundle
   * when {@code trusted} is empty), telling {@code progress} the bytes read of it; the signature is
   * checked before anything is written.
   *
   * @throws BundleException if the bundle is not signed by a trusted key, or is truncated, corrupt,
   *     unsafe or incomplete; the cache is then left as it was
   * @throws IOException if the cache cannot be written
   */
  public Report importBundle(Path file, List<PublicKey> trusted, BundleProgress progress)
      throws IOException {
    Objects.requireNonNull(file, "file");
    Loaded loaded = new Loaded();
    loaded.trusted = List.copyOf(trusted);
    Plan plan;
    try (InputStream in = new CountingInputStream(open(file), progress)) {
      progress.start("import", Files.size(file));
      loader.read(in, loaded);
      plan = planner.plan(OciLayout.parseIndex(loaded.index));
    } catch (IOException | RuntimeException e) {
      rollBack(loaded.added.keySet());
      throw e;
    }
    record(plan);
    return report(plan, loaded);
  }

  /**
   * Checks, reading only the head of {@code file} and touching no cache, that one of the {@code
   * trusted} keys signed it; {@link #importBundle(Path, List)} checks again what it imports.
   *
   * @throws BundleException if it did not, or the bundle is corrupt
   */
  public static void checkSigned(Path file, List<PublicKey> trusted) throws IOException {
    if (trusted.isEmpty()) {
      throw new IllegalArgumentException("no trusted keys");
    }
    Loaded loaded = new Loaded();
    loaded.trusted = List.copyOf(trusted);
    try (InputStream in = open(file)) {
      BundleBlobLoader.headChecker().checkHead(in, loaded);
    }
  }

  /** Tells progress how much of the file has been read. */
  private static final class CountingInputStream extends FilterInputStream {
    private final BundleProgress progress;

    CountingInputStream(InputStream in, BundleProgress progress) {
      super(in);
      this.progress = progress;
    }

    @Override
    public int read() throws IOException {
      int read = super.read();
      if (read >= 0) {
        progress.advance(1);
      }
      return read;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int read = super.read(buffer, offset, length);
      if (read > 0) {
        progress.advance(read);
      }
      return read;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      progress.advance(skipped);
      return skipped;
    }
  }

  private static InputStream open(Path file) throws IOException {
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new BundleException("no such file");
    }
  }

  /** Media types first (a stored blob becomes a manifest), then links and tags. */
  private void record(Plan plan) throws IOException {
    for (Map.Entry<Digest, BundleImagePlanner.Manifest> manifest : plan.manifests.entrySet()) {
      try {
        manifests.store(
            manifest.getKey(), manifest.getValue().body(), manifest.getValue().mediaType());
      } catch (RegistryException e) {
        throw new IOException(e.getMessage(), e.getCause());
      }
    }
    Instant now = clock.instant();
    for (int i = 0; i < plan.images.size(); i++) {
      ImportedImage image = plan.images.get(i);
      ImageReference reference = plan.references.get(i);
      links.linkStored(reference.registry(), reference.repository(), image.digest());
      if (image.tagged()) {
        tags.put(
            reference.registry(),
            reference.repository().value(),
            reference.reference().value(),
            new TagRecord(image.digest(), image.mediaType(), now));
      }
    }
  }

  private Report report(Plan plan, Loaded loaded) throws IOException {
    Set<Digest> unreferenced = new LinkedHashSet<>(loaded.added.keySet());
    unreferenced.removeAll(plan.reachable);
    rollBack(unreferenced);
    int added = 0;
    long addedBytes = 0;
    for (Map.Entry<Digest, Long> blob : loaded.added.entrySet()) {
      if (!unreferenced.contains(blob.getKey())) {
        added++;
        addedBytes += blob.getValue();
      }
    }
    long presentBytes = loaded.present.values().stream().mapToLong(Long::longValue).sum();
    return new Report(
        plan.images,
        plan.skipped,
        added,
        addedBytes,
        loaded.present.size(),
        presentBytes,
        unreferenced.size());
  }

  private void rollBack(Set<Digest> digests) {
    for (Digest digest : digests) {
      try {
        blobs.delete(digest);
      } catch (IOException e) {
        log.warn("Cannot delete blob {} while undoing an import: {}", digest, e.toString());
      }
    }
  }
}
