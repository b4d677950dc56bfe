package dev.stevedore.storage;

import dev.stevedore.storage.text.Printable;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The on-disk layout of a Stevedore data directory: the one place that turns digests and names into
 * paths. It only computes paths; it never touches the disk.
 *
 * <pre>
 * &lt;root&gt;/
 *   blobs/&lt;alg&gt;/&lt;first 2 hex&gt;/&lt;hex&gt;        committed blobs, exactly the bytes of the digest
 *   tmp/&lt;pid&gt;-&lt;start millis&gt;/               temp files of one process's in-progress writes
 *                                          (blobs and small records); same file system as
 *                                          blobs/ so the final rename is atomic; a dead
 *                                          process's folder is removed when a blob store opens
 *   mediatypes/&lt;alg&gt;/&lt;first 2 hex&gt;/&lt;hex&gt;   one line: the media type of a stored manifest
 *   repositories/&lt;registry&gt;/&lt;repository path&gt;/_tags/&lt;tag&gt;
 *                                          tag records (digest, media type, confirmedAt)
 *   repositories/&lt;registry&gt;/&lt;repository path&gt;/_links/&lt;alg&gt;/&lt;hex&gt;
 *                                          repository links: an empty file saying the repository
 *                                          of that upstream has the digest (a blob or manifest
 *                                          fetched through it, referenced by its manifests, or
 *                                          confirmed by an upstream HEAD in its scope); content is
 *                                          shared by digest, but served through a repository only
 *                                          when it has a link (not sharded: a
 *                                          repository links hundreds of digests, not millions)
 * </pre>
 *
 * <p>For example {@code sha256:4f5a…} lives at {@code blobs/sha256/4f/4f5a…} and the tag {@code
 * 3.19} of {@code docker.io/library/alpine} at {@code
 * repositories/docker.io/library/alpine/_tags/3.19}.
 *
 * <p>Names are checked before they become paths, so nothing can leave its directory: every
 * component must be non-empty, not {@code .} or {@code ..}, at most {@value #MAX_COMPONENT_LENGTH}
 * characters, and made of {@code [A-Za-z0-9._-]} only; a registry may also contain {@code :} (for a
 * port, as in {@code 127.0.0.1:5001}); a repository is components separated by single {@code /},
 * each starting with {@code [a-z0-9]}, so no repository component can be {@code _tags} or {@code
 * _links}. Anything else (absolute paths, backslashes, control characters, empty components) throws
 * {@link IllegalArgumentException}.
 */
public record FsLayout(Path root) {

  static final int MAX_COMPONENT_LENGTH = 255;

  private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9._:-]+");
  private static final Pattern REPOSITORY_COMPONENT = Pattern.compile("[a-z0-9][A-Za-z0-9._-]*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9._-]+");
  private static final String TAGS_DIR = "_tags";
  private static final String LINKS_DIR = "_links";

  public FsLayout {
    Objects.requireNonNull(root, "root");
    root = root.toAbsolutePath().normalize();
  }

  /** Root of the committed blobs. */
  public Path blobsDir() {
    return root.resolve("blobs");
  }

  /** Parent of every process's temp folder. */
  public Path tmpRoot() {
    return root.resolve("tmp");
  }

  /**
   * This process's temp files of in-progress writes, on the same file system as the final files.
   * Named by pid and start time, so a process that reuses a dead one's pid (PID 1 in a container)
   * still has a folder of its own, and several processes (serve, preload) can share a data
   * directory.
   */
  public Path tmpDir() {
    return tmpRoot().resolve(ProcessTempDirs.CURRENT);
  }

  /** Root of the manifest media type records. */
  public Path mediaTypesDir() {
    return root.resolve("mediatypes");
  }

  /** Root of the per-registry, per-repository tag records. */
  public Path repositoriesDir() {
    return root.resolve("repositories");
  }

  /** {@code blobs/<alg>/<first 2 hex>/<hex>}. */
  public Path blob(Digest digest) {
    return byDigest(blobsDir(), digest);
  }

  /** {@code mediatypes/<alg>/<first 2 hex>/<hex>}. */
  public Path mediaType(Digest manifest) {
    return byDigest(mediaTypesDir(), manifest);
  }

  /**
   * {@code repositories/<registry>/<repository path>/_tags}: the directory of a repository's tags.
   */
  public Path tagsDir(String registry, String repository) {
    return requireInside(repositoriesDir(), repositoryDir(registry, repository).resolve(TAGS_DIR));
  }

  /**
   * {@code repositories/<registry>/<repository path>/_links/<alg>/<hex>}: the link saying that the
   * repository has {@code digest}.
   */
  public Path link(String registry, String repository, Digest digest) {
    Objects.requireNonNull(digest, "digest");
    Path linksDir = repositoryDir(registry, repository).resolve(LINKS_DIR);
    return requireInside(
        repositoriesDir(), linksDir.resolve(digest.algorithm()).resolve(digest.hex()));
  }

  private Path repositoryDir(String registry, String repository) {
    Path dir = repositoriesDir().resolve(requireRegistry(registry));
    for (String component : requireRepository(repository)) {
      dir = dir.resolve(component);
    }
    return dir;
  }

  /** {@code repositories/<registry>/<repository path>/_tags/<tag>}. */
  public Path tag(String registry, String repository, String tag) {
    Path tagsDir = tagsDir(registry, repository);
    return requireInside(tagsDir, tagsDir.resolve(requireTag(tag)));
  }

  private static Path byDigest(Path base, Digest digest) {
    Objects.requireNonNull(digest, "digest");
    // Digest guarantees a known algorithm and lowercase hex, so these are safe file names.
    return base.resolve(digest.algorithm())
        .resolve(digest.hex().substring(0, 2))
        .resolve(digest.hex());
  }

  private static String requireRegistry(String registry) {
    Objects.requireNonNull(registry, "registry");
    return requireComponent(registry, REGISTRY, "registry");
  }

  private static String[] requireRepository(String repository) {
    Objects.requireNonNull(repository, "repository");
    String[] components = repository.split("/", -1);
    for (String component : components) {
      if (!isAllowed(component, REPOSITORY_COMPONENT)) {
        throw invalid("repository", repository);
      }
    }
    return components;
  }

  private static String requireTag(String tag) {
    Objects.requireNonNull(tag, "tag");
    return requireComponent(tag, TAG, "tag");
  }

  private static String requireComponent(String value, Pattern allowed, String what) {
    if (!isAllowed(value, allowed)) {
      throw invalid(what, value);
    }
    return value;
  }

  private static boolean isAllowed(String component, Pattern allowed) {
    boolean dots = component.equals(".") || component.equals("..");
    return !dots
        && component.length() <= MAX_COMPONENT_LENGTH
        && allowed.matcher(component).matches();
  }

  /** Defence in depth: the checks above already make an escape impossible. */
  private static Path requireInside(Path base, Path path) {
    if (!path.normalize().startsWith(base) || path.normalize().equals(base)) {
      throw new IllegalArgumentException("path escapes " + base + ": " + path);
    }
    return path;
  }

  private static IllegalArgumentException invalid(String what, String value) {
    return new IllegalArgumentException("invalid " + what + " for storage: " + printable(value));
  }

  /** The value with anything unprintable masked and its length capped, safe for logs. */
  private static String printable(String value) {
    return '"' + Printable.masked(value, 100) + '"';
  }
}
