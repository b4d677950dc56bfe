package dev.stevedore.server.bundle;

import dev.stevedore.server.bundle.signing.BundleSignature;
import dev.stevedore.server.bundle.signing.SignedBytes;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.BlobWriter;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.DigestMismatchException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.PublicKey;
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
 *
 * <p>When the import trusts signing keys, the bundle's signature is checked when its first blob
 * entry is reached, before anything is written: {@code index.json}, {@code stevedore-bundle.json}
 * and {@code stevedore-bundle.sig} must all come before the blobs (as {@code export} writes them),
 * each once, and the bytes checked are the bytes used afterwards.
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

  /** A loader that only checks heads ({@link #checkHead}), with no blob store to write to. */
  private BundleBlobLoader() {
    this.blobs = null;
  }

  /** A loader for {@link #checkHead} only. */
  static BundleBlobLoader headChecker() {
    return new BundleBlobLoader();
  }

  /** What reading the archive found and did. */
  static final class Loaded {
    final Map<Digest, Long> added = new LinkedHashMap<>();
    final Map<Digest, Long> present = new LinkedHashMap<>();
    boolean layout;
    byte[] index;
    byte[] recordBytes;
    BundleRecord record;
    byte[] signature;

    /** Keys one of which must have signed the bundle; empty: no signature is checked. */
    List<PublicKey> trusted = List.of();

    private boolean headChecked;
  }

  /**
   * Reads the OCI image-layout tar {@code in} to its end; {@code loaded} records what it adds as it
   * goes, so that on failure it holds the blobs to delete.
   *
   * @throws BundleException if the archive is truncated, corrupt or unsafe, or is no image layout
   */
  void read(InputStream in, Loaded loaded) throws IOException {
    read(new TarReader(new BufferedInputStream(in, BUFFER)), loaded, false);
    if (!loaded.layout) {
      throw new BundleException("it is not an OCI image layout (it has no oci-layout file)");
    }
    if (loaded.index == null) {
      throw new BundleException("it is not an OCI image layout (it has no index.json)");
    }
  }

  /**
   * Reads {@code in} only up to its first blob and checks its signature against {@code
   * loaded.trusted}, writing nothing.
   *
   * @throws BundleException if the bundle is not signed by a trusted key, or is corrupt
   */
  void checkHead(InputStream in, Loaded loaded) throws IOException {
    read(new TarReader(new BufferedInputStream(in, BUFFER)), loaded, true);
  }

  private void read(TarReader tar, Loaded loaded, boolean headOnly) throws IOException {
    byte[] buffer = new byte[BUFFER];
    for (Optional<TarReader.Entry> next = tar.next(); next.isPresent(); next = tar.next()) {
      TarReader.Entry entry = next.get();
      switch (entry.name()) {
        case OciLayout.LAYOUT_FILE -> {
          OciLayout.checkLayoutFile(small(entry, MAX_LAYOUT_FILE));
          loaded.layout = true;
        }
        case OciLayout.INDEX_FILE ->
            loaded.index = signed(loaded, entry, loaded.index, OciLayout.MAX_INDEX_BYTES);
        case BundleRecord.FILE -> {
          loaded.recordBytes = signed(loaded, entry, loaded.recordBytes, BundleRecord.MAX_BYTES);
          if (loaded.headChecked) { // only without trusted keys can a record follow the blobs
            loaded.record = BundleRecord.parse(loaded.recordBytes);
            checkOmittedCached(loaded.record);
          }
        }
        case BundleSignature.FILE ->
            loaded.signature =
                signed(loaded, entry, loaded.signature, BundleSignature.MAX_FILE_BYTES);
        default -> {
          Optional<Digest> digest = OciLayout.blobDigest(entry.name());
          if (digest.isPresent()) {
            headEnds(loaded);
            if (headOnly) {
              return;
            }
            copyBlob(digest.get(), entry, buffer, loaded);
          } else {
            log.debug("Ignoring bundle entry {}", entry.name());
          }
        }
      }
    }
    headEnds(loaded);
  }

  /**
   * Once, where the head (everything before the first blob) ends: the signature if keys are
   * trusted; then the record is parsed (only once its bytes are trusted) and the blobs an
   * incremental bundle leaves out are checked to be cached (unless only checking heads, with no
   * cache).
   */
  private void headEnds(Loaded loaded) throws IOException {
    if (loaded.headChecked) {
      return;
    }
    checkSignature(loaded);
    if (loaded.recordBytes != null) {
      loaded.record = BundleRecord.parse(loaded.recordBytes);
      if (blobs != null) {
        checkOmittedCached(loaded.record);
      }
    }
  }

  /**
   * The content of an entry the signature covers. Without trusted keys: the index and the record
   * are read, the signature ignored, a repeated entry replaces the earlier one. With them, each may
   * come once and only before the blobs.
   */
  private static byte[] signed(Loaded loaded, TarReader.Entry entry, byte[] earlier, int max)
      throws IOException {
    if (loaded.trusted.isEmpty()) {
      return entry.name().equals(BundleSignature.FILE) ? null : small(entry, max);
    }
    if (earlier != null) {
      throw new BundleException("bundle holds " + entry.name() + " twice");
    }
    if (loaded.headChecked) {
      throw new BundleException(
          "bundle's "
              + entry.name()
              + " comes after its blobs, outside what its signature was checked over");
    }
    if (entry.size() > max) {
      throw new BundleException(
          "not trusted: its " + entry.name() + " is too large (" + entry.size() + " bytes)");
    }
    return entry.content().readAllBytes();
  }

  private static void checkSignature(Loaded loaded) {
    if (loaded.headChecked || loaded.trusted.isEmpty()) {
      loaded.headChecked = true;
      return;
    }
    loaded.headChecked = true;
    if (loaded.index == null) {
      throw new BundleException("not trusted: it has no index.json before its blobs");
    }
    BundleSignature.Verdict verdict =
        BundleSignature.verify(
            SignedBytes.of(loaded.index, Optional.ofNullable(loaded.recordBytes)),
            Optional.ofNullable(loaded.signature),
            loaded.trusted);
    if (verdict instanceof BundleSignature.Verdict.Refused refused) {
      throw new BundleException("not trusted: " + refused.reason());
    }
    log.info(
        "Bundle signed by trusted key {}", ((BundleSignature.Verdict.Trusted) verdict).keyId());
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
