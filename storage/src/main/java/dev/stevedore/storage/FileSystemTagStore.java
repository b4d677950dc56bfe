package dev.stevedore.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tag records as small files at {@link FsLayout#tag}: three lines, the digest, the manifest media
 * type and {@code confirmedAt} in epoch milliseconds (so it is kept to millisecond precision). Each
 * put atomically replaces the file; a record that does not parse reads as absent.
 */
public final class FileSystemTagStore implements TagStore {

  private static final Logger log = LoggerFactory.getLogger(FileSystemTagStore.class);

  private final FsLayout layout;

  private FileSystemTagStore(FsLayout layout) {
    this.layout = layout;
  }

  /**
   * Opens (creating its directories if needed) the tag store of the data directory {@code root}.
   */
  public static FileSystemTagStore open(Path root) throws IOException {
    Objects.requireNonNull(root, "root");
    FsLayout layout = new FsLayout(root);
    AtomicFiles.createDirectories(layout.repositoriesDir());
    AtomicFiles.createDirectories(layout.tmpDir());
    return new FileSystemTagStore(layout);
  }

  @Override
  public Optional<TagRecord> get(String registry, String repository, String tag)
      throws IOException {
    Path file = layout.tag(registry, repository, tag);
    Optional<List<String>> fields = LineRecords.read(file, TagRecord.FIELDS);
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(TagRecord.of(fields.get()));
    } catch (IllegalArgumentException | DateTimeException e) {
      log.warn("Ignoring corrupt tag record {}: {}", file, e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public void put(String registry, String repository, String tag, TagRecord record)
      throws IOException {
    Objects.requireNonNull(record, "record");
    Path file = layout.tag(registry, repository, tag);
    LineRecords.write(layout.tmpDir(), file, record.fields());
    log.debug("Tag {}/{}:{} -> {}", registry, repository, tag, record.digest());
  }
}
