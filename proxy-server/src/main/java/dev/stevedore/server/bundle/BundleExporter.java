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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes cached images as an OCI image-layout tar (see {@link OciLayout}): {@code oci-layout},
 * {@code index.json}, then every manifest and blob once, each copied straight from its blob file
 * into the archive. The archive is written to {@code FILE.part} and renamed to {@code FILE} only
 * when complete and forced to disk, so a {@code FILE} is never half written.
 *
 * <p>With a signing key, {@code stevedore-bundle.sig} (see {@link BundleSignature}) follows {@code
 * index.json}, before the blobs, so an import can check it before writing anything.
 */
public final class BundleExporter {
  /** Entries carry this modification time, so the same images always make the same bundle. */
  private static final long MTIME = 0;

  private final BlobStore blobs;

  public BundleExporter(BlobStore blobs) {
    this.blobs = Objects.requireNonNull(blobs, "blobs");
  }

  /** What was written. */
  public record Report(Path file, int images, int blobs, long bytes) {}

  /**
   * Writes {@code images} (all of them in the cache) to {@code output}.
   *
   * @throws BundleException if a blob left the cache since it was fetched
   * @throws IOException if the bundle cannot be written
   */
  public Report write(Path output, List<FetchedImage> images) throws IOException {
    return write(output, images, Optional.empty());
  }

  /**
   * Writes {@code images} (all of them in the cache) to {@code output}, signed with {@code signKey}
   * if present.
   *
   * @throws BundleException if a blob left the cache since it was fetched
   * @throws IOException if the bundle cannot be written
   */
  public Report write(Path output, List<FetchedImage> images, Optional<PrivateKey> signKey)
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
    long bytes = 0;
    for (Map.Entry<Digest, Long> content : contents.entrySet()) {
      BlobInfo info = stored(content.getKey(), content.getValue());
      files.add(info);
      bytes += info.size();
    }

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
      tar.add(OciLayout.INDEX_FILE, index);
      if (signKey.isPresent()) {
        // the bundle record (stevedore-bundle.json), once written, goes before this and in here:
        byte[] signed = SignedBytes.of(index, Optional.empty());
        tar.add(BundleSignature.FILE, BundleSignature.sign(signed, signKey.get()));
      }
      for (BlobInfo file : files) {
        try (BlobReader blob = blobs.open(file.digest()).orElseThrow(() -> leftTheCache(file))) {
          tar.add(OciLayout.blobPath(file.digest()), blob, file.size());
        }
      }
      tar.finish();
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(part);
      throw e;
    }
    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return new Report(target, named.size(), files.size(), bytes);
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
