package dev.stevedore.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offline garbage collection of a data directory: removes the temp files of processes that are no
 * longer running, evicts blobs until the rest fit the budget, and drops the media type records of
 * manifests no longer stored.
 *
 * <p>Offline there is no access history, so the least valuable blobs are the least recently used
 * ones (by modification and access time): the most recently used are kept while they fit. Best run
 * while no {@code serve} uses the directory; if one does, a blob removed under it is fetched again
 * on demand, and a file it is already sending survives until sent.
 */
public final class CacheGc {
  private static final Logger log = LoggerFactory.getLogger(CacheGc.class);

  /** What a run removed and kept. */
  public record Report(
      int tempEntriesRemoved,
      long tempBytesRemoved,
      int blobsEvicted,
      long bytesEvicted,
      int mediaTypesRemoved,
      int blobsKept,
      long bytesKept) {}

  private CacheGc() {}

  /** Collects the data directory {@code root}; with an empty budget it only cleans up. */
  public static Report run(Path root, OptionalLong budget) throws IOException {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(budget, "budget");
    FsLayout layout = new FsLayout(root);
    Map<Path, Long> tempBefore = tempEntrySizes(layout.tmpRoot());
    FileSystemBlobStore store = FileSystemBlobStore.open(root); // removes dead processes' temp
    long tempBytes = 0;
    int tempEntries = 0;
    for (Map.Entry<Path, Long> entry : tempBefore.entrySet()) {
      if (Files.notExists(entry.getKey())) {
        tempEntries++;
        tempBytes += entry.getValue();
      }
    }

    int evicted = 0;
    long evictedBytes = 0;
    int kept = 0;
    long keptBytes = 0;
    List<BlobScan.Entry> blobs = BlobScan.scan(layout);
    for (BlobScan.Entry blob : blobs) {
      boolean fits = budget.isEmpty() || keptBytes + blob.size() <= budget.getAsLong();
      if (fits) {
        kept++;
        keptBytes += blob.size();
      } else if (store.delete(blob.digest())) {
        evicted++;
        evictedBytes += blob.size();
        log.debug(
            "Evicted blob {} ({} bytes, last used {})",
            blob.digest(),
            blob.size(),
            blob.lastUsed());
      }
    }
    int mediaTypes = removeOrphanedMediaTypes(layout);
    return new Report(tempEntries, tempBytes, evicted, evictedBytes, mediaTypes, kept, keptBytes);
  }

  /** The size of each entry of {@code tmp/} (a process's folder, or a loose file). */
  private static Map<Path, Long> tempEntrySizes(Path tmpRoot) throws IOException {
    Map<Path, Long> sizes = new LinkedHashMap<>();
    if (!Files.isDirectory(tmpRoot)) {
      return sizes;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmpRoot)) {
      for (Path entry : entries) {
        sizes.put(entry, treeSize(entry));
      }
    }
    return sizes;
  }

  private static long treeSize(Path path) {
    long[] total = {0};
    try {
      Files.walkFileTree(
          path,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
              total[0] += attributes.size();
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException error) {
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      log.debug("Cannot measure {}: {}", path, e.toString());
    }
    return total[0];
  }

  /** Deletes {@code mediatypes/…} records whose manifest blob is gone; returns how many. */
  private static int removeOrphanedMediaTypes(FsLayout layout) throws IOException {
    Path base = layout.mediaTypesDir();
    if (!Files.isDirectory(base)) {
      return 0;
    }
    int[] removed = {0};
    Files.walkFileTree(
        base,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            Path relative = base.relativize(file);
            if (relative.getNameCount() != 3) {
              return FileVisitResult.CONTINUE;
            }
            String text = relative.getName(0) + ":" + relative.getName(2);
            if (Digest.isValid(text) && Files.notExists(layout.blob(Digest.parse(text)))) {
              try {
                Files.delete(file);
                removed[0]++;
              } catch (NoSuchFileException gone) {
                // removed meanwhile
              }
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return removed[0];
  }
}
