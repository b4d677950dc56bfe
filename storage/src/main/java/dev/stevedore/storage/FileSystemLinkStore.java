package dev.stevedore.storage;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Repository links as empty files at {@link FsLayout#link}: the file's existence is the record, so
 * creating it ({@code O_CREAT|O_EXCL}) is atomic and needs no temp file. Links are not forced to
 * disk one by one: one lost in a crash only costs an upstream {@code HEAD} that confirms it again.
 * Links read or written lately are remembered in memory ({@link RememberingLinkStore}).
 */
public final class FileSystemLinkStore extends RememberingLinkStore {

  private final FsLayout layout;

  private FileSystemLinkStore(FsLayout layout) {
    this.layout = layout;
  }

  /** Opens (creating its directory if needed) the link store of the data directory {@code root}. */
  public static FileSystemLinkStore open(Path root) throws IOException {
    Objects.requireNonNull(root, "root");
    FsLayout layout = new FsLayout(root);
    AtomicFiles.createDirectories(layout.repositoriesDir());
    return new FileSystemLinkStore(layout);
  }

  @Override
  boolean exists(String registry, String repository, Digest digest) {
    return Files.isRegularFile(layout.link(registry, repository, digest));
  }

  @Override
  void create(String registry, String repository, Digest digest) throws IOException {
    Path link = layout.link(registry, repository, digest);
    if (!Files.isRegularFile(link)) {
      AtomicFiles.createDirectories(link.getParent());
      try {
        Files.createFile(link);
      } catch (FileAlreadyExistsException raced) {
        // another writer recorded it first: same record
      }
    }
  }
}
