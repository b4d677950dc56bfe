package dev.stevedore.storage;

import java.io.IOException;
import java.util.Objects;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Repository links as empty objects at {@link S3Layout#link}: the object's existence is the record,
 * and writing it twice is harmless. Links seen once are remembered in memory ({@link
 * RememberingLinkStore}): a hot repository's requests check their links without a request to the
 * store.
 */
public final class S3LinkStore extends RememberingLinkStore {

  private final S3Client s3;
  private final S3Layout layout;
  private final S3Records records;

  public S3LinkStore(S3Client s3, S3Layout layout) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.layout = Objects.requireNonNull(layout, "layout");
    this.records = new S3Records(s3, layout.bucket());
  }

  @Override
  boolean exists(String registry, String repository, Digest digest) throws IOException {
    return records.exists(layout.link(registry, repository, digest));
  }

  @Override
  void create(String registry, String repository, Digest digest) throws IOException {
    String key = layout.link(registry, repository, digest);
    PutObjectRequest put = PutObjectRequest.builder().bucket(layout.bucket()).key(key).build();
    S3Calls.io("PUT", key, () -> s3.putObject(put, RequestBody.empty()));
  }
}
