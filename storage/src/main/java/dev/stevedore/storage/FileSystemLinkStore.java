package dev.stevedore.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Repository links as empty files at {@link FsLayout#link}: the file's existence is the record, so
 * creating it ({@code O_CREAT|O_EXCL}) is atomic and needs no temp file. Links are not forced to
 * disk one by one: one lost in a crash only costs an upstream {@code HEAD} that confirms it again.
 * Links read or written lately are remembered in memory (a bounded set, keyed by the link's names,
 * not its path: a hot repository's requests check their links without a disk read and without
 * building and validating a path, which cost a quarter of a cached manifest GET).
 */
public final class FileSystemLinkStore implements LinkStore {

  /** Links remembered in memory; an entry is a few hundred bytes. */
  private static final long MEMORY_LINKS = 100_000;

  private final FsLayout layout;
  private final Cache<Link, Boolean> known =
      Caffeine.newBuilder().maximumSize(MEMORY_LINKS).build();

  /** One link by its names; remembered only after {@link FsLayout#link} accepted them. */
  private record Link(String registry, String repository, Digest digest) {}

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
  public boolean cached(String registry, String repository, Digest digest) {
    return known.getIfPresent(new Link(registry, repository, digest)) != null;
  }

  @Override
  public boolean has(String registry, String repository, Digest digest) throws IOException {
    Link key = new Link(registry, repository, digest);
    if (known.getIfPresent(key) != null) {
      return true;
    }
    if (Files.isRegularFile(layout.link(registry, repository, digest))) {
      known.put(key, Boolean.TRUE);
      return true;
    }
    return false;
  }

  @Override
  public void put(String registry, String repository, Digest digest) throws IOException {
    Link key = new Link(registry, repository, digest);
    if (known.getIfPresent(key) != null) {
      return;
    }
    Path link = layout.link(registry, repository, digest);
    if (!Files.isRegularFile(link)) {
      AtomicFiles.createDirectories(link.getParent());
      try {
        Files.createFile(link);
      } catch (FileAlreadyExistsException raced) {
        // another writer recorded it first: same record
      }
    }
    known.put(key, Boolean.TRUE);
  }
}
