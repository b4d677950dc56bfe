package dev.stevedore.server.bundle;

import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.Descriptor;
import dev.stevedore.core.model.ImageReference;
import dev.stevedore.core.model.ManifestDocument;
import dev.stevedore.core.model.ManifestValidator;
import dev.stevedore.storage.BlobInfo;
import dev.stevedore.storage.BlobReader;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Checks that each image a bundle's index.json names is a complete graph whose manifests and blobs
 * are all in the blob store, and plans the manifests and tags to record for them.
 */
final class BundleImagePlanner {
  private static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
  private static final int MAX_DEPTH = 4;

  private final BlobStore blobs;

  BundleImagePlanner(BlobStore blobs) {
    this.blobs = Objects.requireNonNull(blobs, "blobs");
  }

  /** Everything the named images need, checked; nothing recorded yet. */
  static final class Plan {
    final List<BundleImporter.ImportedImage> images = new ArrayList<>();
    final List<ImageReference> references = new ArrayList<>();
    final List<String> skipped = new ArrayList<>();
    final Map<Digest, Manifest> manifests = new LinkedHashMap<>();
    final Set<Digest> reachable = new LinkedHashSet<>();
  }

  /** A manifest to record: its body and its media type. */
  record Manifest(byte[] body, String mediaType) {}

  /**
   * Checks the images of index.json's {@code entries} against the blob store.
   *
   * @throws BundleException if an image is misnamed, incomplete, inconsistent or invalid
   */
  Plan plan(List<OciLayout.Entry> entries) throws IOException {
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
          new BundleImporter.ImportedImage(
              reference.toString(), entry.digest(), mediaType, pinned.isEmpty()));
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
    byte[] body = read(image, digest);
    String mediaType;
    ManifestDocument document;
    try {
      // checked as strictly as an upstream's manifest: a bundle is input from outside too
      mediaType = ManifestValidator.mediaTypeOf(body, Optional.of(declaredType));
      document = ManifestDocument.parse(mediaType, body);
    } catch (ManifestValidator.InvalidManifestException | RegistryException e) {
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

  /** The bytes of a manifest just found {@link #present}. */
  private byte[] read(String image, Digest digest) throws IOException {
    try (BlobReader reader =
        blobs.open(digest).orElseThrow(() -> missing(image, "manifest", digest))) {
      return reader.readAllBytes();
    }
  }

  private BlobInfo present(String image, String kind, Digest digest, long size) throws IOException {
    BlobInfo info = blobs.stat(digest).orElseThrow(() -> missing(image, kind, digest));
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

  private static BundleException missing(String image, String kind, Digest digest) {
    return new BundleException(
        "bundle is incomplete: "
            + image
            + " needs "
            + kind
            + " "
            + digest
            + ", which is neither in the bundle nor in the cache");
  }
}
