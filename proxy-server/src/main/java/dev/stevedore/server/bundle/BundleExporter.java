package dev.stevedore.server.bundle;

import dev.stevedore.core.cache.ImageFetcher.FetchedImage;
import dev.stevedore.core.cache.ManifestContent;
import dev.stevedore.core.model.Descriptor;
import dev.stevedore.server.bundle.signing.BundleSignature;
import dev.stevedore.server.bundle.signing.SignedBytes;
import dev.stevedore.storage.BlobInfo;
import dev.stevedore.storage.BlobReader;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Writes cached images as an OCI image-layout tar (see {@link OciLayout}): {@code oci-layout},
 * {@code index.json}, then every manifest and blob once, each copied straight from its blob file
 * into the archive. The archive is written to {@code FILE.part} and renamed to {@code FILE} only
 * when complete and forced to disk, so a {@code FILE} is never half written.
 *
 * <p>{@code stevedore-bundle.json} (the {@link BundleRecord}) follows {@code index.json}; with a
 * signing key, {@code stevedore-bundle.sig} (see {@link BundleSignature}, over both) follows the
 * record, before the blobs, so an import can check both before writing anything.
 */
public final class BundleExporter {
  /** Entries carry this modification time, so the same images always make the same bundle. */
  private static final long MTIME = 0;

  private final BlobStore blobs;

  public BundleExporter(BlobStore blobs) {
    this.blobs = Objects.requireNonNull(blobs, "blobs");
  }

  /** What was written, and what was left out because a base bundle holds it. */
  public record Report(
      Path file,
      int images,
      int blobs,
      long bytes,
      int skipped,
      long skippedBytes,
      BundleRecord record) {}

  /**
   * The bundles an incremental export builds on: their file digests, and every blob they hold
   * (carry or themselves omit). {@link #NONE} for a full bundle.
   */
  public record Bases(List<Digest> files, Set<Digest> held) {
    public static final Bases NONE = new Bases(List.of(), Set.of());

    public Bases {
      files = List.copyOf(files);
      held = Set.copyOf(held);
    }

    /** The bases as {@link BundleScan}s of their files found them. */
    public static Bases of(List<BundleScan> scans) {
      List<Digest> files = new ArrayList<>();
      Set<Digest> held = new LinkedHashSet<>();
      for (BundleScan scan : scans) {
        files.add(scan.fileDigest());
        held.addAll(scan.held());
      }
      return new Bases(files, held);
    }
  }

  /** Writes a full bundle of {@code images}, showing no progress. */
  public Report write(Path output, List<FetchedImage> images) throws IOException {
    return write(output, images, Bases.NONE, BundleProgress.NONE);
  }

  /**
   * Writes {@code images} (all of them in the cache) to {@code output}, leaving out every manifest
   * and blob that {@code bases} hold; the bundle record names the bases and what was left out, so
   * that import can check the cache holds it.
   *
   * @throws BundleException if a blob left the cache since it was fetched
   * @throws IOException if the bundle cannot be written
   */
  public Report write(Path output, List<FetchedImage> images, Bases bases, BundleProgress progress)
      throws IOException {
    return write(output, images, bases, progress, Optional.empty());
  }

  /**
   * Writes {@code images} as {@link #write(Path, List, Bases, BundleProgress)} does, signed with
   * {@code signKey} if present: {@code stevedore-bundle.sig} then covers {@code index.json} and the
   * bundle record, so neither the images nor what an increment builds on can be changed unnoticed.
   *
   * @throws BundleException if a blob left the cache since it was fetched
   * @throws IOException if the bundle cannot be written
   */
  public Report write(
      Path output,
      List<FetchedImage> images,
      Bases bases,
      BundleProgress progress,
      Optional<PrivateKey> signKey)
      throws IOException {
    Map<String, OciLayout.Entry> named = new LinkedHashMap<>();
    Map<Digest, Long> contents = new LinkedHashMap<>();
    for (FetchedImage image : images) {
      String name = image.image().toString();
      ManifestContent top = image.top();
      named.putIfAbsent(
          name,
          new OciLayout.Entry(
              top.descriptor().mediaType(),
              top.descriptor().digest(),
              top.body().length,
              Optional.of(name)));
      for (ManifestContent manifest : image.manifests()) {
        contents.putIfAbsent(manifest.descriptor().digest(), (long) manifest.body().length);
      }
      for (Descriptor blob : image.blobs()) {
        contents.putIfAbsent(blob.digest(), blob.size());
      }
    }
    List<BlobInfo> files = new ArrayList<>();
    List<Digest> omitted = new ArrayList<>();
    long bytes = 0;
    long skippedBytes = 0;
    for (Map.Entry<Digest, Long> content : contents.entrySet()) {
      BlobInfo info = stored(content.getKey(), content.getValue());
      if (bases.held().contains(info.digest())) {
        omitted.add(info.digest());
        skippedBytes += info.size();
      } else {
        files.add(info);
        bytes += info.size();
      }
    }
    BundleRecord record =
        new BundleRecord(BundleRecord.FORMAT, describe(images), bases.files(), omitted);

    Path target = output.toAbsolutePath();
    Path part = target.resolveSibling(target.getFileName() + ".part");
    try (FileChannel channel =
        FileChannel.open(
            part,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      TarWriter tar = new TarWriter(channel, MTIME);
      tar.add(OciLayout.LAYOUT_FILE, OciLayout.layoutFile());
      byte[] index = OciLayout.index(List.copyOf(named.values()));
      byte[] recordBytes = record.toJson();
      tar.add(OciLayout.INDEX_FILE, index);
      // before the blobs: import checks the omitted blobs (and the signature over index.json and
      // this record) before it writes anything
      tar.add(BundleRecord.FILE, recordBytes);
      if (signKey.isPresent()) {
        byte[] signed = SignedBytes.of(index, Optional.of(recordBytes));
        tar.add(BundleSignature.FILE, BundleSignature.sign(signed, signKey.get()));
      }
      progress.start("export", bytes);
      for (BlobInfo file : files) {
        try (BlobReader blob = blobs.open(file.digest()).orElseThrow(() -> leftTheCache(file))) {
          tar.add(OciLayout.blobPath(file.digest()), blob, file.size());
        }
        progress.advance(file.size());
      }
      tar.finish();
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(part);
      throw e;
    }
    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return new Report(
        target, named.size(), files.size(), bytes, omitted.size(), skippedBytes, record);
  }

  /** Each named image once: name, top digest, platforms, and the bytes of all it holds. */
  private List<BundleRecord.Image> describe(List<FetchedImage> images) throws IOException {
    Map<String, BundleRecord.Image> described = new LinkedHashMap<>();
    for (FetchedImage image : images) {
      String name = image.image().toString();
      if (described.containsKey(name)) {
        continue;
      }
      ManifestContent top = image.top();
      List<String> platforms =
          ImagePlatforms.of(top.descriptor().mediaType(), top.body(), this::readSmall);
      long size = image.blobBytes();
      for (ManifestContent manifest : image.manifests()) {
        size += manifest.body().length;
      }
      described.put(name, new BundleRecord.Image(name, top.descriptor().digest(), platforms, size));
    }
    return List.copyOf(described.values());
  }

  private Optional<byte[]> readSmall(Digest digest) throws IOException {
    Optional<BlobInfo> info = blobs.stat(digest);
    if (info.isEmpty() || info.get().size() > 4 * 1024 * 1024) {
      return Optional.empty();
    }
    Optional<BlobReader> reader = blobs.open(digest);
    if (reader.isEmpty()) {
      return Optional.empty();
    }
    try (BlobReader blob = reader.get()) {
      return Optional.of(blob.readAllBytes());
    }
  }

  private static BundleException leftTheCache(BlobInfo blob) {
    return new BundleException(
        "blob " + blob.digest() + " left the cache during the export; run it again");
  }

  private BlobInfo stored(Digest digest, long expectedSize) throws IOException {
    BlobInfo info = blobs.stat(digest).orElseThrow(() -> leftTheCache(new BlobInfo(digest, 0)));
    if (expectedSize >= 0 && info.size() != expectedSize) {
      throw new BundleException(
          "cached blob "
              + digest
              + " holds "
              + info.size()
              + " bytes but its descriptor says "
              + expectedSize);
    }
    return info;
  }
}
