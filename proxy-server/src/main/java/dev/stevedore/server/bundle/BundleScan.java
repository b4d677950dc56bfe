package dev.stevedore.server.bundle;

import dev.stevedore.server.bundle.signing.BundleSignature;
import dev.stevedore.storage.Digest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One sequential read of a bundle file that touches no cache: the file's own digest, its layout
 * files, Stevedore's record and signature, the size of every blob entry, the bodies of the small
 * ones (manifests and configs, to walk the images), and — when asked — whether each blob entry
 * hashes to its name. What {@code export --since}, {@code bundle ls} and {@code bundle verify} know
 * of a bundle.
 */
public final class BundleScan {
  /** The signature entry the signing side writes and reads. */
  public static final String SIGNATURE_FILE = BundleSignature.FILE;

  private static final int BUFFER = 1024 * 1024;
  private static final int MAX_SMALL = 4 * 1024 * 1024;
  private static final long MAX_SMALL_TOTAL = 64L * 1024 * 1024;
  private static final int MAX_SIGNATURE = 64 * 1024;

  private final Digest fileDigest;
  private final boolean layout;
  private final Optional<byte[]> index;
  private final Optional<byte[]> record;
  private final Optional<byte[]> signature;
  private final Map<Digest, Long> blobs;
  private final Map<Digest, byte[]> small;
  private final List<String> damaged;

  private BundleScan(Reading reading, Digest fileDigest) {
    this.fileDigest = fileDigest;
    this.layout = reading.layout;
    this.index = Optional.ofNullable(reading.index);
    this.record = Optional.ofNullable(reading.record);
    this.signature = Optional.ofNullable(reading.signature);
    this.blobs = Map.copyOf(reading.blobs);
    this.small = Map.copyOf(reading.small);
    this.damaged = List.copyOf(reading.damaged);
  }

  /**
   * Reads {@code file} to its end.
   *
   * @param hashBlobs whether to hash every blob entry (else {@link #damaged} is empty)
   * @throws BundleException if the file is missing, truncated or not a safe tar
   */
  public static BundleScan of(Path file, boolean hashBlobs) throws IOException {
    MessageDigest whole = sha256();
    Reading reading = new Reading();
    try (InputStream raw = open(file);
        DigestInputStream hashed = new DigestInputStream(raw, whole);
        InputStream in = new BufferedInputStream(hashed, BUFFER)) {
      TarReader tar = new TarReader(in);
      byte[] buffer = new byte[BUFFER];
      for (Optional<TarReader.Entry> next = tar.next(); next.isPresent(); next = tar.next()) {
        reading.add(next.get(), hashBlobs, buffer);
      }
      while (in.read(buffer) >= 0) {
        // the rest of the file counts towards its digest
      }
    }
    return new BundleScan(reading, Digest.fromHash("sha256", whole.digest()));
  }

  /** The sha256 of the whole file: the bundle's identity, as {@code buildsOn} names it. */
  public Digest fileDigest() {
    return fileDigest;
  }

  public boolean hasLayoutFile() {
    return layout;
  }

  public Optional<byte[]> index() {
    return index.map(byte[]::clone);
  }

  public Optional<byte[]> recordBytes() {
    return record.map(byte[]::clone);
  }

  /** The parsed record, if the bundle has one. */
  public Optional<BundleRecord> record() {
    return record.map(BundleRecord::parse);
  }

  public Optional<byte[]> signature() {
    return signature.map(byte[]::clone);
  }

  /** Every blob entry's digest (as named) and size. */
  public Map<Digest, Long> blobs() {
    return blobs;
  }

  /**
   * The content of a JSON blob entry of at most 4 MiB (a manifest or config; 64 MiB of them at
   * most), if the bundle has it.
   */
  Optional<byte[]> small(Digest digest) {
    return Optional.ofNullable(small.get(digest));
  }

  /** Blob entries whose content does not hash to their name, as "entry (hashes to …)". */
  public List<String> damaged() {
    return damaged;
  }

  /** The blobs a bundle built on this one need not carry: what it holds and what it omits. */
  public Set<Digest> held() {
    Set<Digest> held = new LinkedHashSet<>(blobs.keySet());
    record().ifPresent(r -> held.addAll(r.omitted()));
    return held;
  }

  private static InputStream open(Path file) throws IOException {
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new BundleException("no such file");
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What the read has found so far. */
  private static final class Reading {
    boolean layout;
    byte[] index;
    byte[] record;
    byte[] signature;
    final Map<Digest, Long> blobs = new LinkedHashMap<>();
    final Map<Digest, byte[]> small = new LinkedHashMap<>();
    final List<String> damaged = new ArrayList<>();
    long smallTotal;

    void add(TarReader.Entry entry, boolean hashBlobs, byte[] buffer) throws IOException {
      switch (entry.name()) {
        case OciLayout.LAYOUT_FILE -> {
          OciLayout.checkLayoutFile(read(entry, 64 * 1024));
          layout = true;
        }
        case OciLayout.INDEX_FILE -> index = read(entry, OciLayout.MAX_INDEX_BYTES);
        case BundleRecord.FILE -> record = read(entry, BundleRecord.MAX_BYTES);
        case SIGNATURE_FILE -> signature = read(entry, MAX_SIGNATURE);
        default -> {
          Optional<Digest> digest = OciLayout.blobDigest(entry.name());
          if (digest.isPresent()) {
            blob(digest.get(), entry, hashBlobs, buffer);
          }
        }
      }
    }

    private void blob(Digest digest, TarReader.Entry entry, boolean hashBlobs, byte[] buffer)
        throws IOException {
      blobs.put(digest, entry.size());
      if (entry.size() <= MAX_SMALL) {
        byte[] body = entry.content().readAllBytes();
        // JSON only (manifests and configs; a layer is never JSON), and within the bound
        if (isJson(body) && smallTotal + body.length <= MAX_SMALL_TOTAL) {
          small.put(digest, body);
          smallTotal += body.length;
        }
        if (hashBlobs) {
          check(
              digest,
              entry.name(),
              Digest.fromHash(digest.algorithm(), digest.newMessageDigest().digest(body)));
        }
        return;
      }
      if (!hashBlobs) {
        return;
      }
      MessageDigest hasher = digest.newMessageDigest();
      InputStream content = entry.content();
      for (int read = content.read(buffer); read >= 0; read = content.read(buffer)) {
        hasher.update(buffer, 0, read);
      }
      check(digest, entry.name(), Digest.fromHash(digest.algorithm(), hasher.digest()));
    }

    private static boolean isJson(byte[] body) {
      for (byte b : body) {
        if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
          return b == '{';
        }
      }
      return false;
    }

    private void check(Digest named, String entry, Digest actual) {
      if (!actual.equals(named)) {
        damaged.add(entry + " (its content hashes to " + actual + ")");
      }
    }

    private static byte[] read(TarReader.Entry entry, int max) throws IOException {
      if (entry.size() > max) {
        throw new BundleException(
            "bundle's " + entry.name() + " is too large (" + entry.size() + " bytes)");
      }
      return entry.content().readAllBytes();
    }
  }
}
