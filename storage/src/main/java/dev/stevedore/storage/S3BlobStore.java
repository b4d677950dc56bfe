package dev.stevedore.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;

/**
 * Content-addressed blobs in an S3 bucket, at {@link S3Layout#blob} ({@code
 * <prefix>/blobs/<alg>/<xx>/<hex>}, as distribution lays them out). A blob appears in the bucket
 * only once its digest verified ({@link S3BlobWriter}); it is read with streaming and ranged {@code
 * GET}s ({@link S3BlobReader}), stat'ed with {@code HEAD}. Writers spool to a local folder, which
 * also serves the readers of a blob still being written.
 *
 * <p>The client is the caller's (endpoint, region, credentials are configuration), and so is its
 * lifetime. S3-compatible servers other than AWS may need the SDK's checksum calculation and
 * validation set to {@code WHEN_REQUIRED}. Every method is blocking network I/O.
 */
public final class S3BlobStore implements BlobStore {
  /** 8 MiB: S3's minimum part is 5 MiB, and 10,000 parts of 8 MiB hold 78 GiB. */
  public static final long DEFAULT_PART_SIZE = 8L * 1024 * 1024;

  /** The smallest part S3 accepts (except the last one). */
  static final long MIN_PART_SIZE = 5L * 1024 * 1024;

  private final S3Client s3;
  private final S3Layout layout;
  private final Path spoolDir;
  private final long partSize;

  private S3BlobStore(S3Client s3, S3Layout layout, Path spoolDir, long partSize) {
    this.s3 = s3;
    this.layout = layout;
    this.spoolDir = spoolDir;
    this.partSize = partSize;
  }

  /**
   * A store in {@code layout}'s bucket that spools blobs being written under the data directory
   * {@code dataDir} (its per-process temp folder, cleaned after a crash as the file system store's
   * is).
   */
  public static S3BlobStore open(S3Client s3, S3Layout layout, Path dataDir) throws IOException {
    return open(s3, layout, dataDir, DEFAULT_PART_SIZE);
  }

  /** As {@link #open(S3Client, S3Layout, Path)}, with multipart uploads in parts of this size. */
  public static S3BlobStore open(S3Client s3, S3Layout layout, Path dataDir, long partSize)
      throws IOException {
    Objects.requireNonNull(s3, "s3");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(dataDir, "dataDir");
    if (partSize < MIN_PART_SIZE) {
      throw new IllegalArgumentException("part size below S3's minimum of 5 MiB: " + partSize);
    }
    Path spoolDir = new FsLayout(dataDir).tmpDir();
    AtomicFiles.createDirectories(spoolDir);
    return new S3BlobStore(s3, layout, spoolDir, partSize);
  }

  S3Client client() {
    return s3;
  }

  S3Layout layout() {
    return layout;
  }

  @Override
  public Optional<BlobReader> open(Digest digest) throws IOException {
    return S3BlobReader.open(s3, layout, digest);
  }

  @Override
  public Optional<BlobInfo> stat(Digest digest) throws IOException {
    String key = layout.blob(digest);
    HeadObjectRequest head = HeadObjectRequest.builder().bucket(layout.bucket()).key(key).build();
    return S3Calls.ifPresent("HEAD", key, () -> s3.headObject(head))
        .map(response -> new BlobInfo(digest, response.contentLength()));
  }

  @Override
  public BlobWriter create(Digest expected, long size) throws IOException {
    return S3BlobWriter.start(this, expected, size, spoolDir, partSize);
  }

  /**
   * A writer that uploads what {@code localWriter} (the local tier's) receives: the blob stays in
   * the local tier whatever the store does; see {@link S3BlobWriter.Spool#LOCAL_TIER}.
   */
  BlobWriter createOver(BlobWriter localWriter) throws IOException {
    return S3BlobWriter.over(this, localWriter, partSize);
  }

  /**
   * Fails when the bucket cannot be reached or is not ours, or the spool folder is not writable.
   */
  @Override
  public void checkWritable() throws IOException {
    if (!Files.isDirectory(spoolDir) || !Files.isWritable(spoolDir)) {
      throw new IOException("spool folder " + spoolDir + " is not a writable directory");
    }
    HeadBucketRequest head = HeadBucketRequest.builder().bucket(layout.bucket()).build();
    S3Calls.io("HEAD bucket", layout.bucket(), () -> s3.headBucket(head));
  }

  /** S3's {@code DELETE} says nothing of what existed, so a {@code HEAD} asks first. */
  @Override
  public boolean delete(Digest digest) throws IOException {
    if (stat(digest).isEmpty()) {
      return false;
    }
    String key = layout.blob(digest);
    DeleteObjectRequest delete =
        DeleteObjectRequest.builder().bucket(layout.bucket()).key(key).build();
    S3Calls.io("DELETE", key, () -> s3.deleteObject(delete));
    return true;
  }

  @Override
  public String toString() {
    return "S3BlobStore[s3://" + layout.bucket() + "/" + layout.prefix() + "]";
  }
}
