package dev.stevedore.storage;

import java.io.IOException;
import java.time.DateTimeException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Tag records as small objects at {@link S3Layout#tag}, in the three lines of {@link
 * FileSystemTagStore} (digest, media type, {@code confirmedAt} in epoch milliseconds), so every
 * replica sees when a tag was last confirmed upstream. A put replaces the object (last writer wins,
 * as with the file system's atomic rename); a record that does not parse reads as absent.
 */
public final class S3TagStore implements TagStore {
  private static final Logger log = LoggerFactory.getLogger(S3TagStore.class);

  private final S3Layout layout;
  private final S3Records records;

  public S3TagStore(S3Client s3, S3Layout layout) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.records = new S3Records(s3, layout.bucket());
  }

  @Override
  public Optional<TagRecord> get(String registry, String repository, String tag)
      throws IOException {
    String key = layout.tag(registry, repository, tag);
    Optional<List<String>> fields = records.read(key, TagRecord.FIELDS);
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(TagRecord.of(fields.get()));
    } catch (IllegalArgumentException | DateTimeException e) {
      log.warn("Ignoring corrupt tag record {}: {}", key, e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public void put(String registry, String repository, String tag, TagRecord record)
      throws IOException {
    Objects.requireNonNull(record, "record");
    records.write(layout.tag(registry, repository, tag), record.fields());
    log.debug("Tag {}/{}:{} -> {}", registry, repository, tag, record.digest());
  }
}
