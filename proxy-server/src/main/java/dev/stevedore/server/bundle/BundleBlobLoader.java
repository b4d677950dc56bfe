package dev.stevedore.server.bundle;

import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.BlobWriter;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.DigestMismatchException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a bundle's tar and loads its blobs into the blob store, each checked against its digest.
 */
final class BundleBlobLoader {
  // the importer's logger, so that the import's log lines keep the name they have always had
  private static final Logger log = LoggerFactory.getLogger(BundleImporter.class);
  private static final int BUFFER = 1024 * 1024;
  private static final int MAX_LAYOUT_FILE = 64 * 1024;

  private final BlobStore blobs;

  BundleBlobLoader(BlobStore blobs) {
    this.blobs = Objects.requireNonNull(blobs, "blobs");
  }

  /** What reading the archive found and did. */
  static final class Loaded {
    final Map<Digest, Long> added = new LinkedHashMap<>();
    final Map<Digest, Long> present = new LinkedHashMap<>();
    boolean layout;
    byte[] index;
    BundleRecord record;
  }

  /**
   * Reads the OCI image-layout tar {@code in} to its end; {@code loaded} records what it adds as it
   * goes, so that on failure it holds the blobs to delete.
   *
   * @throws BundleException if the archive is truncated, corrupt or unsafe, or is no image layout
   */
  void read(InputStream in, Loaded loaded) throws IOException {
    read(new TarReader(new BufferedInputStream(in, BUFFER)), loaded);
    if (!loaded.layout) {
      throw new BundleException("it is not an OCI image layout (it has no oci-layout file)");
    }
    if (loaded.index == null) {
      throw new BundleException("it is not an OCI image layout (it has no index.json)");
    }
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
        case BundleRecord.FILE -> {
          loaded.record = BundleRecord.parse(small(entry, BundleRecord.MAX_BYTES));
          checkOmittedCached(loaded.record);
        }
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

  /**
   * Refuses an incremental bundle whose left-out blobs are not all cached. The exporter writes the
   * record before any blob, so this refusal comes before the import has written anything.
   */
  private void checkOmittedCached(BundleRecord record) throws IOException {
    List<Digest> missing = new ArrayList<>();
    for (Digest digest : record.omitted()) {
      if (blobs.stat(digest).isEmpty()) {
        missing.add(digest);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    throw new BundleException(
        "bundle is incremental and the cache lacks "
            + missing.size()
            + " of the "
            + record.omitted().size()
            + " blobs it leaves out (first "
            + missing.get(0)
            + "); import the bundle it builds on first ("
            + record.buildsOn().stream().map(Digest::toString).collect(Collectors.joining(", "))
            + ")");
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
}
