package dev.stevedore.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.util.Objects;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Repository links as empty objects at {@link S3Layout#link}: the object's existence is the record,
 * and writing it twice is harmless. Links are never removed, so a link seen once is remembered in
 * memory (a bounded set, as {@link FileSystemLinkStore} does): a hot repository's requests check
 * their links without a request to the store.
 */
public final class S3LinkStore implements LinkStore {
  private static final long MEMORY_LINKS = 100_000;

  private final S3Client s3;
  private final S3Layout layout;
  private final S3Records records;
  private final Cache<Link, Boolean> known =
      Caffeine.newBuilder().maximumSize(MEMORY_LINKS).build();

  private record Link(String registry, String repository, Digest digest) {}

  public S3LinkStore(S3Client s3, S3Layout layout) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.layout = Objects.requireNonNull(layout, "layout");
    this.records = new S3Records(s3, layout.bucket());
  }

  @Override
  public boolean cached(String registry, String repository, Digest digest) {
    return known.getIfPresent(new Link(registry, repository, digest)) != null;
  }

  @Override
  public boolean has(String registry, String repository, Digest digest) throws IOException {
    Link link = new Link(registry, repository, digest);
    if (known.getIfPresent(link) != null) {
      return true;
    }
    if (records.exists(layout.link(registry, repository, digest))) {
      known.put(link, Boolean.TRUE);
      return true;
    }
    return false;
  }

  @Override
  public void put(String registry, String repository, Digest digest) throws IOException {
    Link link = new Link(registry, repository, digest);
    if (known.getIfPresent(link) != null) {
      return;
    }
    String key = layout.link(registry, repository, digest);
    PutObjectRequest put = PutObjectRequest.builder().bucket(layout.bucket()).key(key).build();
    S3Calls.io("PUT", key, () -> s3.putObject(put, RequestBody.empty()));
    known.put(link, Boolean.TRUE);
  }
}
