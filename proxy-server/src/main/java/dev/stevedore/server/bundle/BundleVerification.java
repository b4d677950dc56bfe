package dev.stevedore.server.bundle;

import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.Descriptor;
import dev.stevedore.core.model.ManifestDocument;
import dev.stevedore.core.model.ManifestValidator;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a bundle file without touching a cache ({@code stevedore bundle verify}): every blob entry
 * hashes to its name, {@code index.json} and every manifest it reaches parse, every blob they
 * reference is in the bundle (or deliberately omitted by an incremental one, as its record says),
 * and the record's images are the index's. Further {@link Check}s — the signature against trusted
 * keys — run on the scanned bundle after these.
 */
public final class BundleVerification {
  private static final int MAX_DEPTH = 4;

  /** A further check of a bundle whose content is already verified. */
  public interface Check {
    /**
     * @throws BundleException naming what is wrong, in one line
     */
    void check(BundleScan bundle) throws IOException;
  }

  /** A verified bundle: what was read, and each named image as the index describes it. */
  public record Result(BundleScan scan, List<BundleRecord.Image> images) {
    public Result {
      images = List.copyOf(images);
    }
  }

  private final List<Check> checks;

  /** Content checks only. */
  public BundleVerification() {
    this(List.of());
  }

  /** Content checks, then {@code checks} in order. */
  public BundleVerification(List<Check> checks) {
    this.checks = List.copyOf(Objects.requireNonNull(checks, "checks"));
  }

  /**
   * Verifies the bundle at {@code file}.
   *
   * @throws BundleException naming the first problem found
   */
  public Result verify(Path file) throws IOException {
    BundleScan scan = BundleScan.of(file, true);
    if (!scan.damaged().isEmpty()) {
      throw new BundleException(
          "bundle is corrupt: "
              + scan.damaged().get(0)
              + (scan.damaged().size() > 1
                  ? " and " + (scan.damaged().size() - 1) + " more blobs do not match"
                  : " does not match its digest"));
    }
    List<BundleRecord.Image> images = images(scan);
    Optional<BundleRecord> record = scan.record();
    if (record.isPresent()) {
      for (BundleRecord.Image described : record.get().images()) {
        boolean indexed =
            images.stream()
                .anyMatch(
                    i ->
                        i.name().equals(described.name()) && i.digest().equals(described.digest()));
        if (!indexed) {
          throw new BundleException(
              "bundle's "
                  + BundleRecord.FILE
                  + " lists "
                  + described.name()
                  + " at "
                  + described.digest()
                  + ", which index.json does not name");
        }
      }
    }
    for (Check check : checks) {
      check.check(scan);
    }
    return new Result(scan, images);
  }

  /**
   * The named images of a scanned bundle, each walked through the bundle's own manifests: name, top
   * digest, platforms, and the bytes of what it references (omitted blobs count as unknown).
   *
   * @throws BundleException if it is no image layout, or an image is incomplete or invalid
   */
  static List<BundleRecord.Image> images(BundleScan scan) throws IOException {
    if (!scan.hasLayoutFile()) {
      throw new BundleException("it is not an OCI image layout (it has no oci-layout file)");
    }
    byte[] index =
        scan.index()
            .orElseThrow(
                () -> new BundleException("it is not an OCI image layout (it has no index.json)"));
    Set<Digest> omitted =
        new LinkedHashSet<>(scan.record().map(BundleRecord::omitted).orElse(List.of()));
    List<BundleRecord.Image> images = new ArrayList<>();
    for (OciLayout.Entry entry : OciLayout.parseIndex(index)) {
      String name = entry.name().orElse(entry.digest().toString());
      Walk walk = new Walk(scan, omitted, name);
      String mediaType = walk.manifest(entry.mediaType(), entry.digest(), entry.size(), 0);
      List<String> platforms =
          scan.small(entry.digest()).isPresent()
              ? ImagePlatforms.of(mediaType, scan.small(entry.digest()).get(), d -> scan.small(d))
              : List.of();
      images.add(new BundleRecord.Image(name, entry.digest(), platforms, walk.bytes));
    }
    return images;
  }

  /** One image's walk through the bundle's manifests. */
  private static final class Walk {
    private final BundleScan scan;
    private final Set<Digest> omitted;
    private final String image;
    private final Set<Digest> counted = new LinkedHashSet<>();
    long bytes;

    Walk(BundleScan scan, Set<Digest> omitted, String image) {
      this.scan = scan;
      this.omitted = omitted;
      this.image = image;
    }

    /** Checks a manifest and what it references; returns its media type. */
    String manifest(String declaredType, Digest digest, long size, int depth) {
      if (depth > MAX_DEPTH) {
        throw new BundleException(
            "image " + image + " nests indexes more than " + MAX_DEPTH + " deep");
      }
      if (!present("manifest", digest, size)) {
        return declaredType; // omitted: a base bundle holds it, and what it references
      }
      byte[] body =
          scan.small(digest)
              .orElseThrow(
                  () ->
                      new BundleException(
                          "manifest "
                              + digest
                              + " of "
                              + image
                              + " is too large to check (or not JSON)"));
      String mediaType;
      ManifestDocument document;
      try {
        mediaType = ManifestValidator.mediaTypeOf(body, Optional.of(declaredType));
        document = ManifestDocument.parse(mediaType, body);
      } catch (ManifestValidator.InvalidManifestException | RegistryException e) {
        throw new BundleException(
            "manifest " + digest + " of " + image + " is invalid: " + e.getMessage());
      }
      if (document instanceof ManifestDocument.Index index) {
        for (Descriptor child : index.manifests()) {
          manifest(child.mediaType(), child.digest(), child.size(), depth + 1);
        }
      } else if (document instanceof ManifestDocument.Image manifest) {
        for (Descriptor blob : manifest.blobs()) {
          present(manifest.config() == blob ? "config" : "layer", blob.digest(), blob.size());
        }
      }
      return mediaType;
    }

    /** True if the bundle holds it; false if omitted; refuses it if neither. */
    private boolean present(String kind, Digest digest, long size) {
      Long held = scan.blobs().get(digest);
      if (held == null) {
        if (omitted.contains(digest)) {
          return false;
        }
        throw new BundleException(
            "bundle is incomplete: " + image + " needs " + kind + " " + digest + ", not in it");
      }
      if (size >= 0 && held != size) {
        throw new BundleException(
            "bundle is inconsistent: "
                + kind
                + " "
                + digest
                + " of "
                + image
                + " is "
                + held
                + " bytes but its descriptor says "
                + size);
      }
      if (counted.add(digest)) {
        bytes += held;
      }
      return true;
    }
  }
}
