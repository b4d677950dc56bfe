package dev.stevedore.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BlobStore} in a data directory laid out by {@link FsLayout}: blobs are written to temp
 * files under {@code tmp/} and atomically renamed to {@code blobs/<alg>/<xx>/<hex>} once verified.
 *
 * <p>{@link #open} deletes the temp files of processes that are no longer running (writes a crash
 * interrupted); a process that shares the data directory keeps its own.
 */
public final class FileSystemBlobStore implements BlobStore {

  private static final Logger log = LoggerFactory.getLogger(FileSystemBlobStore.class);

  private final FsLayout layout;

  private FileSystemBlobStore(FsLayout layout) {
    this.layout = layout;
  }

  /**
   * Opens the blob store of the data directory {@code root}: creates its directories and deletes
   * the temp files of writes interrupted by a crash.
   */
  public static FileSystemBlobStore open(Path root) throws IOException {
    Objects.requireNonNull(root, "root");
    FsLayout layout = new FsLayout(root);
    AtomicFiles.createDirectories(layout.blobsDir());
    AtomicFiles.createDirectories(layout.tmpRoot());
    int removed = ProcessTempDirs.removeDeadProcessFolders(layout.tmpRoot());
    if (removed > 0) {
      log.info(
          "Removed the leftover temp files of {} stopped processes from {}",
          removed,
          layout.tmpRoot());
    }
    AtomicFiles.createDirectories(layout.tmpDir());
    log.debug("Opened blob store at {}", layout.root());
    return new FileSystemBlobStore(layout);
  }

  @Override
  public Optional<BlobInfo> stat(Digest digest) throws IOException {
    Path file = layout.blob(digest);
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (!attributes.isRegularFile()) {
      return Optional.empty();
    }
    return Optional.of(new BlobInfo(digest, attributes.size()));
  }

  /** One open and one {@code fstat}: the hot path of every cache hit. */
  @Override
  public Optional<BlobReader> open(Digest digest) throws IOException {
    FileChannel file;
    try {
      file = FileChannel.open(layout.blob(digest), StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      return Optional.of(new FileBlobReader(digest, file, file.size()));
    } catch (IOException | RuntimeException e) {
      FileBlobReader.FileReads.closeQuietly(file);
      throw e;
    }
  }

  @Override
  public BlobWriter create(Digest expected, long size) throws IOException {
    Objects.requireNonNull(expected, "expected");
    return FileSystemBlobWriter.start(expected, size, layout.tmpDir(), layout.blob(expected));
  }

  @Override
  public void checkWritable() throws IOException {
    Path probe = Files.createTempFile(layout.tmpDir(), "probe-", ".tmp");
    Files.delete(probe);
  }

  @Override
  public boolean delete(Digest digest) throws IOException {
    boolean deleted = Files.deleteIfExists(layout.blob(digest));
    if (deleted) {
      log.debug("Deleted blob {}", digest);
    }
    return deleted;
  }
}
