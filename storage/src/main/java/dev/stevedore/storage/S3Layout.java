package dev.stevedore.storage;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
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

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern LEASE_SEGMENT = Pattern.compile("[A-Za-z0-9._:@-]+");

  /** The longest lease name {@link #lease} accepts, in characters. */
  static final int MAX_LEASE_NAME = 512;

  private static final FsLayout KEYS = new FsLayout(Path.of("/"));

  public S3Layout {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(prefix, "prefix");
    if (bucket.isEmpty()) {
      throw new IllegalArgumentException("empty bucket name");
    }
    prefixProblem(prefix)
        .ifPresent(
            problem -> {
              throw new IllegalArgumentException("invalid key prefix: " + problem);
            });
  }

  /**
   * What is wrong with a key prefix, if anything: the one rule for prefixes, which the command line
   * applies too. Segments of letters, digits, {@code .}, {@code _} and {@code -} joined by single
   * {@code /}, none of them {@code .} or {@code ..} (file-system backed servers would resolve
   * them).
   */
  public static Optional<String> prefixProblem(String prefix) {
    if (prefix.isEmpty()) {
      return Optional.empty();
    }
    for (String segment : prefix.split("/", -1)) {
      if (segment.isEmpty()) {
        return Optional.of("it must not start or end with '/' or contain '//'");
      }
      if (segment.equals(".") || segment.equals("..")) {
        return Optional.of("it must not contain a '" + segment + "' segment");
      }
      if (!SEGMENT.matcher(segment).matches()) {
        return Optional.of("it may hold only letters, digits, '.', '_', '-' and '/'");
      }
    }
    return Optional.empty();
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

  /**
   * {@code <prefix>/}, or empty for the bucket's root: what every key of this layout starts with
   * (listing under it never sees another layout's keys, {@code team/a/} is not a prefix of {@code
   * team/ab/…}).
   */
  public String keysPrefix() {
    return prefix.isEmpty() ? "" : prefix + "/";
  }

  /** {@code <prefix>/blobs/}: what every blob key starts with, for listing them. */
  public String blobsPrefix() {
    return keysPrefix() + "blobs/";
  }

  /**
   * The blob a key of {@link #blob} names, or empty for any other key: one under the blobs prefix
   * that is not exactly the key of a valid digest (a stray file, a wrong fan-out folder, an
   * uppercase hex) names no blob.
   */
  public Optional<Digest> digestOfBlobKey(String key) {
    Objects.requireNonNull(key, "key");
    String blobs = blobsPrefix();
    if (!key.startsWith(blobs)) {
      return Optional.empty();
    }
    String[] parts = key.substring(blobs.length()).split("/", -1);
    if (parts.length != 3) {
      return Optional.empty();
    }
    String text = parts[0] + ":" + parts[2];
    if (!Digest.isValid(text)) {
      return Optional.empty();
    }
    Digest digest = Digest.parse(text);
    return blob(digest).equals(key) ? Optional.of(digest) : Optional.empty();
  }

  /** {@code <prefix>/pulls/}: what every replica's pull record key starts with. */
  public String pullsPrefix() {
    return keysPrefix() + "pulls/";
  }

  /**
   * {@code <prefix>/pulls/<replicaId>}: the record of the blobs one replica served, written by
   * {@link StorePulls}. The id must be one plain key segment of at most 128 characters (letters,
   * digits, {@code .}, {@code _}, {@code -}; not {@code .} or {@code ..}).
   */
  public String pulls(String replicaId) {
    Objects.requireNonNull(replicaId, "replicaId");
    if (!isReplicaId(replicaId)) {
      throw new IllegalArgumentException("invalid replica id: " + replicaId);
    }
    return pullsPrefix() + replicaId;
  }

  /** {@code <prefix>/leases/}: what every lease key starts with. */
  public String leasesPrefix() {
    return keysPrefix() + "leases/";
  }

  /**
   * {@code <prefix>/leases/<name>}: the lease of {@link S3Leases} on {@code name}, such as {@code
   * blobs/sha256:<hex>}. The name is segments of letters, digits, {@code .}, {@code _}, {@code :},
   * {@code @} and {@code -} joined by single {@code /}, none of them {@code .} or {@code ..}, at
   * most {@value #MAX_LEASE_NAME} characters: every such key means the same to AWS S3, MinIO and a
   * file-system backed server.
   */
  public String lease(String name) {
    Objects.requireNonNull(name, "name");
    if (!isLeaseName(name)) {
      throw new IllegalArgumentException("invalid lease name: " + name);
    }
    return leasesPrefix() + name;
  }

  /** Whether {@code name} is a lease name {@link #lease} accepts. */
  static boolean isLeaseName(String name) {
    if (name.isEmpty() || name.length() > MAX_LEASE_NAME) {
      return false;
    }
    for (String segment : name.split("/", -1)) {
      if (segment.equals(".")
          || segment.equals("..")
          || !LEASE_SEGMENT.matcher(segment).matches()) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code id} is a replica id {@link #pulls} accepts. */
  static boolean isReplicaId(String id) {
    return id.length() <= 128
        && SEGMENT.matcher(id).matches()
        && !id.equals(".")
        && !id.equals("..");
  }

  private String key(Path path) {
    String relative = KEYS.root().relativize(path).toString();
    return prefix.isEmpty() ? relative : prefix + "/" + relative;
  }
}
