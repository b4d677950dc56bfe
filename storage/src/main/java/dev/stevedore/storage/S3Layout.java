package dev.stevedore.storage;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where everything lives in the bucket: the keys of {@link FsLayout} under an optional prefix, so a
 * bucket and a data directory look alike ({@code <prefix>/blobs/sha256/<xx>/<hex>}, {@code
 * <prefix>/repositories/<registry>/<repo>/_tags/<tag>}, …). The keys are computed by {@link
 * FsLayout} itself, so names are validated once, by the same rules, for both backends. Only
 * computes keys; never talks to S3.
 *
 * @param bucket the bucket name
 * @param prefix the key prefix without leading or trailing slash, empty for the bucket's root
 */
public record S3Layout(String bucket, String prefix) {

  private static final Pattern PREFIX = Pattern.compile("([A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*)?");
  private static final FsLayout KEYS = new FsLayout(Path.of("/"));

  public S3Layout {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(prefix, "prefix");
    if (bucket.isEmpty()) {
      throw new IllegalArgumentException("empty bucket name");
    }
    if (!PREFIX.matcher(prefix).matches() || prefix.contains("..")) {
      throw new IllegalArgumentException("invalid key prefix: " + prefix);
    }
  }

  /** {@code <prefix>/blobs/<alg>/<first 2 hex>/<hex>}. */
  public String blob(Digest digest) {
    return key(KEYS.blob(digest));
  }

  /** {@code <prefix>/mediatypes/<alg>/<first 2 hex>/<hex>}. */
  public String mediaType(Digest manifest) {
    return key(KEYS.mediaType(manifest));
  }

  /** {@code <prefix>/repositories/<registry>/<repository path>/_tags/<tag>}. */
  public String tag(String registry, String repository, String tag) {
    return key(KEYS.tag(registry, repository, tag));
  }

  /** {@code <prefix>/repositories/<registry>/<repository path>/_links/<alg>/<hex>}. */
  public String link(String registry, String repository, Digest digest) {
    return key(KEYS.link(registry, repository, digest));
  }

  private String key(Path path) {
    String relative = KEYS.root().relativize(path).toString();
    return prefix.isEmpty() ? relative : prefix + "/" + relative;
  }
}
