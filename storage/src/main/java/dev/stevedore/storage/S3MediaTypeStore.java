package dev.stevedore.storage;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Manifest media types as one-line objects at {@link S3Layout#mediaType}. The first claim is
 * written with S3's conditional write ({@code If-None-Match: *}), so of two replicas claiming one
 * digest at once exactly one record wins, as with the file system's create-if-absent. A record that
 * does not parse claims nothing: it is removed and the claim tried once more.
 */
public final class S3MediaTypeStore implements MediaTypeStore {
  private final S3Layout layout;
  private final S3Records records;

  public S3MediaTypeStore(S3Client s3, S3Layout layout) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.records = new S3Records(s3, layout.bucket());
  }

  @Override
  public Optional<String> get(Digest manifest) throws IOException {
    return records.read(layout.mediaType(manifest), 1).map(fields -> fields.get(0));
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code mediaType} is empty or holds a control character
   */
  @Override
  public String putIfAbsent(Digest manifest, String mediaType) throws IOException {
    Objects.requireNonNull(mediaType, "mediaType");
    String key = layout.mediaType(manifest);
    for (int attempt = 0; attempt < 2; attempt++) {
      if (records.writeIfAbsent(key, mediaType)) {
        return mediaType;
      }
      Optional<String> recorded = get(manifest);
      if (recorded.isPresent()) {
        return recorded.get();
      }
      records.delete(key);
    }
    throw new IOException("cannot record the media type of " + manifest);
  }
}
