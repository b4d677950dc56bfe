package dev.stevedore.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists the committed blobs of a data directory ({@code blobs/<alg>/<xx>/<hex>}), most recently
 * used first. Files that are not named like a blob are left out (and alone).
 */
public final class BlobScan {
  private static final Logger log = LoggerFactory.getLogger(BlobScan.class);

  /** Most recently used first; ties by digest, so the order is stable. */
  static final Comparator<Entry> NEWEST_FIRST =
      Comparator.comparing(Entry::lastUsed)
          .reversed()
          .thenComparing(entry -> entry.digest().toString());

  /**
   * One blob file: its size and when it was last used, the later of its modification (commit) and
   * access times (access times are coarse on {@code relatime} mounts, but not useless).
   */
  public record Entry(Digest digest, long size, FileTime lastUsed, Path path) {
    public Entry {
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(lastUsed, "lastUsed");
      Objects.requireNonNull(path, "path");
    }
  }

  private BlobScan() {}

  /** Every blob under {@code layout}'s {@code blobs/}, most recently used first. */
  public static List<Entry> scan(FsLayout layout) throws IOException {
    List<Entry> found = new ArrayList<>();
    Path blobs = layout.blobsDir();
    if (!Files.isDirectory(blobs)) {
      return found;
    }
    for (Path algorithmDir : list(blobs)) {
      for (Path prefixDir : list(algorithmDir)) {
        for (Path file : list(prefixDir)) {
          entryOf(algorithmDir, prefixDir, file).ifPresent(found::add);
        }
      }
    }
    found.sort(NEWEST_FIRST);
    return found;
  }

  private static Optional<Entry> entryOf(Path algorithmDir, Path prefixDir, Path file) {
    String hex = file.getFileName().toString();
    String text = algorithmDir.getFileName() + ":" + hex;
    if (!Digest.isValid(text) || !hex.startsWith(prefixDir.getFileName().toString())) {
      log.debug("Ignoring {}: not named like a blob", file);
      return Optional.empty();
    }
    try {
      BasicFileAttributes attributes =
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!attributes.isRegularFile()) {
        return Optional.empty();
      }
      FileTime modified = attributes.lastModifiedTime();
      FileTime accessed = attributes.lastAccessTime();
      FileTime lastUsed = accessed.compareTo(modified) > 0 ? accessed : modified;
      return Optional.of(new Entry(Digest.parse(text), attributes.size(), lastUsed, file));
    } catch (NoSuchFileException gone) {
      return Optional.empty();
    } catch (IOException e) {
      log.warn("Cannot read {}: {}", file, e.toString());
      return Optional.empty();
    }
  }

  private static List<Path> list(Path dir) throws IOException {
    List<Path> children = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return children;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      entries.forEach(children::add);
    } catch (NoSuchFileException gone) {
      return children;
    }
    return children;
  }
}
