package dev.stevedore.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one blob to a unique temp file while hashing it, then verifies, forces and atomically
 * renames it to its final path.
 *
 * <p>Readers ({@link #openReader()}) open the temp file and read up to what its {@link
 * WriteProgress} allows, which advances only after the bytes are in the file. Once committed the
 * temp file is renamed: readers that opened it keep reading the same file, now complete. If a write
 * fails the writer is discarded at once, so a file can never hold bytes the hash did not see.
 *
 * <p>Meant for one writing thread; the mutating methods are synchronized so that a {@link
 * #cancel()} from another thread is safe. Where the file is (temp name, final name, gone) changes
 * only under {@link #place}, which {@link #openReader()} takes too, so a reader never opens a name
 * that is moving.
 */
final class FileSystemBlobWriter implements BlobWriter {

  private static final Logger log = LoggerFactory.getLogger(FileSystemBlobWriter.class);

  private enum State {
    OPEN,
    COMMITTED,
    DISCARDED
  }

  private final Digest expected;
  private final Path tempFile;
  private final Path target;
  private final FileChannel channel;
  private final MessageDigest hasher;
  private final WriteProgress progress;
  private final Object place = new Object();
  private volatile State state = State.OPEN;

  private FileSystemBlobWriter(
      Digest expected, long size, Path tempFile, Path target, FileChannel channel) {
    this.expected = expected;
    this.tempFile = tempFile;
    this.target = target;
    this.channel = channel;
    this.hasher = expected.newMessageDigest();
    this.progress = new WriteProgress(size);
  }

  /**
   * Creates the temp file in {@code tmpDir} for a blob of {@code size} bytes ({@link
   * BlobReader#UNKNOWN_SIZE} if not announced) that will live at {@code target}.
   */
  static FileSystemBlobWriter start(Digest expected, long size, Path tmpDir, Path target)
      throws IOException {
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(tmpDir, "tmpDir");
    Objects.requireNonNull(target, "target");
    String prefix = expected.algorithm() + "-" + expected.hex().substring(0, 12) + "-";
    Path tempFile = Files.createTempFile(tmpDir, prefix, ".part");
    try {
      FileChannel channel = FileChannel.open(tempFile, StandardOpenOption.WRITE);
      return new FileSystemBlobWriter(expected, size, tempFile, target, channel);
    } catch (IOException | RuntimeException e) {
      AtomicFiles.deleteQuietly(tempFile);
      throw e;
    }
  }

  @Override
  public Digest expected() {
    return expected;
  }

  @Override
  public Path tempFile() {
    return tempFile;
  }

  @Override
  public long written() {
    return progress.written();
  }

  @Override
  public BlobReader openReader() throws IOException {
    synchronized (place) {
      FileChannel file =
          switch (state) {
            case OPEN -> FileChannel.open(tempFile, StandardOpenOption.READ);
            case COMMITTED -> openCommitted();
            case DISCARDED -> null;
          };
      return new GrowingFileReader(expected, progress, file);
    }
  }

  private FileChannel openCommitted() throws IOException {
    try {
      return FileChannel.open(target, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(target.toString(), null, "blob " + expected + " was removed");
    }
  }

  @Override
  public synchronized void write(ByteBuffer src) throws IOException {
    Objects.requireNonNull(src, "src");
    requireOpen("write");
    ByteBuffer toHash = src.duplicate();
    try {
      long count = 0;
      while (src.hasRemaining()) {
        count += channel.write(src);
      }
      hasher.update(toHash);
      progress.advance(count);
    } catch (IOException | RuntimeException e) {
      log.warn("Discarding blob {} after a failed write: {}", expected, e.toString());
      discard();
      throw e;
    }
  }

  @Override
  public synchronized BlobInfo commit() throws IOException {
    requireOpen("commit");
    Digest actual = Digest.fromHash(expected.algorithm(), hasher.digest());
    if (!actual.equals(expected)) {
      log.warn("Discarding blob {}: its {} bytes hash to {}", expected, written(), actual);
      discard();
      throw new DigestMismatchException(expected, actual);
    }
    long size = progress.size();
    if (size >= 0 && size != written()) {
      discard();
      throw new IOException(
          "blob " + expected + " was announced as " + size + " bytes but has " + written());
    }
    try {
      channel.force(true);
      channel.close();
      BlobInfo committed;
      synchronized (place) {
        committed = moveIntoPlace();
        state = State.COMMITTED;
      }
      progress.verify();
      return committed;
    } catch (IOException | RuntimeException e) {
      discard();
      throw e;
    }
  }

  @Override
  public synchronized void cancel() {
    if (state != State.OPEN) {
      return;
    }
    log.debug("Cancelled blob {} after {} bytes", expected, written());
    discard();
  }

  @Override
  public String toString() {
    return "FileSystemBlobWriter[" + expected + ", " + progress + ", " + state + "]";
  }

  private BlobInfo moveIntoPlace() throws IOException {
    Path parent = target.getParent();
    AtomicFiles.createDirectories(parent);
    if (Files.exists(target)) {
      return alreadyCommitted();
    }
    try {
      // Same content under the same name, so even replacing a concurrent commit is harmless.
      Files.move(tempFile, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      return alreadyCommitted();
    }
    AtomicFiles.fsyncDirectory(parent);
    log.debug("Committed blob {} ({} bytes)", expected, written());
    return new BlobInfo(expected, written());
  }

  /**
   * Another writer committed first: ours is the same content (both verified), so drop our copy.
   * Readers that opened our temp file keep reading it.
   */
  private BlobInfo alreadyCommitted() throws IOException {
    Files.deleteIfExists(tempFile);
    log.debug("Blob {} was already committed by another writer", expected);
    return new BlobInfo(expected, Files.size(target));
  }

  private void requireOpen(String action) {
    if (state != State.OPEN) {
      throw new IllegalStateException(
          "cannot " + action + " blob " + expected + ": writer is " + state);
    }
  }

  private void discard() {
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("Cannot close temp file {}: {}", tempFile, e.toString());
    }
    synchronized (place) {
      state = State.DISCARDED;
      AtomicFiles.deleteQuietly(tempFile);
    }
    progress.fail();
  }
}
