package dev.stevedore.server.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.core.cache.StoredManifests;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.Descriptor;
import dev.stevedore.core.model.ImageReference;
import dev.stevedore.core.model.ManifestDocument;
import dev.stevedore.storage.BlobInfo;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.BlobWriter;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.DigestMismatchException;
import dev.stevedore.storage.TagRecord;
import dev.stevedore.storage.TagStore;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads an OCI image-layout tar into the cache, in one sequential read of the archive:
 *
 * <ol>
 *   <li>every {@code blobs/<alg>/<hex>} entry is copied into the blob store through a {@link
 *       BlobWriter}, which verifies its digest while it is written (an entry already cached is
 *       hashed and compared all the same, so a damaged bundle is refused whatever the cache holds);
 *   <li>then each named image of {@code index.json} is walked (index → child manifests → config and
 *       layers): everything it needs must now be in the cache, and every manifest must parse;
 *   <li>only then are the manifests' media types (taken from the descriptors that reference them)
 *       and the images' tags recorded, confirmed now.
 * </ol>
 *
 * <p>Any failure before the last step (truncated or corrupt archive, digest mismatch, missing
 * content, invalid manifest) deletes the blobs this import added and records nothing, so the cache
 * is as it was. Blobs the bundle holds but no named image needs are not kept. Importing the same
 * bundle again adds nothing and re-confirms its tags. Blocking file I/O throughout.
 */
public final class BundleImporter {
  private static final Logger log = LoggerFactory.getLogger(BundleImporter.class);
  private static final int BUFFER = 1024 * 1024;
  private static final int MAX_LAYOUT_FILE = 64 * 1024;
  private static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
  private static final int MAX_DEPTH = 4;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BlobStore blobs;
  private final StoredManifests manifests;
  private final TagStore tags;
  private final Clock clock;

  public BundleImporter(BlobStore blobs, StoredManifests manifests, TagStore tags, Clock clock) {
    this.blobs = Objects.requireNonNull(blobs, "blobs");
    this.manifests = Objects.requireNonNull(manifests, "manifests");
    this.tags = Objects.requireNonNull(tags, "tags");
    this.clock = Objects.requireNonNull(clock, "clock");
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
    Objects.requireNonNull(file, "file");
    Loaded loaded = new Loaded();
    Plan plan;
    try (InputStream in = new BufferedInputStream(open(file), BUFFER)) {
      read(new TarReader(in), loaded);
      if (!loaded.layout) {
        throw new BundleException("it is not an OCI image layout (it has no oci-layout file)");
      }
      if (loaded.index == null) {
        throw new BundleException("it is not an OCI image layout (it has no index.json)");
      }
      plan = plan(OciLayout.parseIndex(loaded.index));
    } catch (IOException | RuntimeException e) {
      rollBack(loaded.added.keySet());
      throw e;
    }
    record(plan);
    return report(plan, loaded);
  }

  private static InputStream open(Path file) throws IOException {
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new BundleException("no such file");
    }
  }

  /** What reading the archive found and did. */
  private static final class Loaded {
    final Map<Digest, Long> added = new LinkedHashMap<>();
    final Map<Digest, Long> present = new LinkedHashMap<>();
    boolean layout;
    byte[] index;
  }

  private void read(TarReader tar, Loaded loaded) throws IOException {
    byte[] buffer = new byte[BUFFER];
    for (Optional<TarReader.Entry> next = tar.next(); next.isPresent(); next = tar.next()) {
      TarReader.Entry entry = next.get();
      switch (entry.name()) {
        case OciLayout.LAYOUT_FILE -> {
          OciLayout.checkLayoutFile(small(entry, MAX_LAYOUT_FILE));
          loaded.layout = true;
        }
        case OciLayout.INDEX_FILE -> loaded.index = small(entry, OciLayout.MAX_INDEX_BYTES);
        default -> {
          Optional<Digest> digest = OciLayout.blobDigest(entry.name());
          if (digest.isPresent()) {
            copyBlob(digest.get(), entry, buffer, loaded);
          } else {
            log.debug("Ignoring bundle entry {}", entry.name());
          }
        }
      }
    }
  }

  private static byte[] small(TarReader.Entry entry, int max) throws IOException {
    if (entry.size() > max) {
      throw new BundleException(
          "bundle's " + entry.name() + " is too large (" + entry.size() + " bytes)");
    }
    return entry.content().readAllBytes();
  }

  private void copyBlob(Digest digest, TarReader.Entry entry, byte[] buffer, Loaded loaded)
      throws IOException {
    boolean known = loaded.added.containsKey(digest) || loaded.present.containsKey(digest);
    if (known || blobs.stat(digest).isPresent()) {
      verifyOnly(digest, entry, buffer);
      if (!known) {
        loaded.present.put(digest, entry.size());
      }
      return;
    }
    try (BlobWriter writer = blobs.create(digest)) {
      InputStream content = entry.content();
      // whole buffers: the page cache keeps the file in pieces as large as the writes
      for (int read = content.readNBytes(buffer, 0, buffer.length);
          read > 0;
          read = content.readNBytes(buffer, 0, buffer.length)) {
        writer.write(ByteBuffer.wrap(buffer, 0, read));
      }
      writer.commit();
    } catch (DigestMismatchException e) {
      throw corrupt(entry.name(), e.actual());
    }
    loaded.added.put(digest, entry.size());
  }

  private static void verifyOnly(Digest digest, TarReader.Entry entry, byte[] buffer)
      throws IOException {
    MessageDigest hasher = digest.newMessageDigest();
    InputStream content = entry.content();
    for (int read = content.read(buffer); read >= 0; read = content.read(buffer)) {
      hasher.update(buffer, 0, read);
    }
    Digest actual = new Digest(digest.algorithm(), HexFormat.of().formatHex(hasher.digest()));
    if (!actual.equals(digest)) {
      throw corrupt(entry.name(), actual);
    }
  }

  private static BundleException corrupt(String name, Digest actual) {
    return new BundleException(
        "bundle is corrupt: "
            + name
            + " does not match its digest (its content hashes to "
            + actual
            + ")");
  }

  /** Everything the named images need, checked; nothing recorded yet. */
  private static final class Plan {
    final List<ImportedImage> images = new ArrayList<>();
    final List<ImageReference> references = new ArrayList<>();
    final List<String> skipped = new ArrayList<>();
    final Map<Digest, Manifest> manifests = new LinkedHashMap<>();
    final Set<Digest> reachable = new LinkedHashSet<>();
  }

  private record Manifest(byte[] body, String mediaType) {}

  private Plan plan(List<OciLayout.Entry> entries) throws IOException {
    Plan plan = new Plan();
    for (OciLayout.Entry entry : entries) {
      if (entry.name().isEmpty()) {
        plan.skipped.add(entry.digest() + " (index.json gives it no image name)");
        continue;
      }
      String name = entry.name().get();
      ImageReference reference;
      try {
        reference = ImageReference.parse(name);
      } catch (RegistryException e) {
        throw new BundleException(
            "bundle names an image '" + TarReader.printable(name) + "': " + e.getMessage());
      }
      Optional<Digest> pinned = reference.reference().digest();
      if (pinned.isPresent() && !pinned.get().equals(entry.digest())) {
        throw new BundleException(
            "bundle's index.json names " + name + " but points to " + entry.digest());
      }
      String mediaType = walk(name, entry.mediaType(), entry.digest(), entry.size(), 0, plan);
      plan.images.add(
          new ImportedImage(reference.toString(), entry.digest(), mediaType, pinned.isEmpty()));
      plan.references.add(reference);
    }
    return plan;
  }

  /** Checks a manifest and everything below it; returns its media type. */
  private String walk(
      String image, String declaredType, Digest digest, long size, int depth, Plan plan)
      throws IOException {
    if (depth > MAX_DEPTH) {
      throw new BundleException(
          "image " + image + " nests indexes more than " + MAX_DEPTH + " deep");
    }
    Manifest known = plan.manifests.get(digest);
    if (known != null) {
      return known.mediaType();
    }
    BlobInfo info = present(image, "manifest", digest, size);
    if (info.size() > MAX_MANIFEST_BYTES) {
      throw new BundleException(
          "manifest " + digest + " of " + image + " is too large (" + info.size() + " bytes)");
    }
    byte[] body = Files.readAllBytes(info.path());
    String mediaType = declaredType.isBlank() ? ownMediaType(body) : declaredType;
    if (mediaType.isBlank()) {
      throw new BundleException(
          "cannot tell the media type of manifest " + digest + " of " + image);
    }
    ManifestDocument document;
    try {
      document = ManifestDocument.parse(mediaType, body);
    } catch (RegistryException e) {
      throw new BundleException(
          "manifest " + digest + " of " + image + " is invalid: " + e.getMessage());
    }
    plan.manifests.put(digest, new Manifest(body, mediaType));
    plan.reachable.add(digest);
    if (document instanceof ManifestDocument.Index index) {
      for (Descriptor child : index.manifests()) {
        walk(image, child.mediaType(), child.digest(), child.size(), depth + 1, plan);
      }
    } else if (document instanceof ManifestDocument.Image manifest) {
      present(image, "config", manifest.config().digest(), manifest.config().size());
      plan.reachable.add(manifest.config().digest());
      for (Descriptor layer : manifest.layers()) {
        present(image, "layer", layer.digest(), layer.size());
        plan.reachable.add(layer.digest());
      }
    }
    return mediaType;
  }

  private BlobInfo present(String image, String kind, Digest digest, long size) throws IOException {
    BlobInfo info =
        blobs
            .stat(digest)
            .orElseThrow(
                () ->
                    new BundleException(
                        "bundle is incomplete: "
                            + image
                            + " needs "
                            + kind
                            + " "
                            + digest
                            + ", which is neither in the bundle nor in the cache"));
    if (size >= 0 && info.size() != size) {
      throw new BundleException(
          "bundle is inconsistent: "
              + kind
              + " "
              + digest
              + " of "
              + image
              + " is "
              + info.size()
              + " bytes but its descriptor says "
              + size);
    }
    return info;
  }

  private static String ownMediaType(byte[] body) {
    try {
      JsonNode root = JSON.readTree(body);
      return root == null ? "" : root.path("mediaType").asText("");
    } catch (IOException e) {
      return "";
    }
  }

  /** Media types first (a stored blob becomes a manifest), then tags. */
  private void record(Plan plan) throws IOException {
    for (Map.Entry<Digest, Manifest> manifest : plan.manifests.entrySet()) {
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
