package dev.stevedore.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.utils.BinaryUtils;

/**
 * Writes one blob to the object store while hashing it. The bytes go to a local spool, a {@link
 * BlobWriter} on local disk (which hashes them and serves the readers of the growing blob, holding
 * back the last byte until the digest verified) and, every {@code partSize} bytes, from the spool's
 * file to S3 as one part of a multipart upload, so memory stays small and the upload keeps pace
 * with the download.
 *
 * <p>Nothing is visible in the bucket before {@link #commit()} verified the digest: only then is
 * the last part sent and the upload completed (a blob smaller than one part is sent with one {@code
 * PUT} at commit). A mismatch, a failed write or {@link #cancel()} aborts the upload, so no object
 * appears and no parts stay billed. A process killed mid-upload leaves an incomplete upload behind:
 * the next start's sweep of stale uploads or the bucket's lifecycle rule {@code
 * AbortIncompleteMultipartUpload} removes it. A blob that is in the bucket already when this writer
 * commits (another writer or replica was first) is not sent again: one {@code HEAD} finds it and
 * this writer's upload is aborted.
 *
 * <p>The spool is either {@link Spool#PRIVATE} (a file of its own, deleted after the commit: the
 * bucket is the blob's only home, so a failing store fails the write) or {@link Spool#LOCAL_TIER}
 * (the local tier's writer: the blob stays there whatever the store does, so a failing store only
 * means that this blob is not shared; the upload is aborted and the local blob kept). Parts are
 * read through a channel opened on the spool's file at the start, which survives its rename at
 * commit and its eviction afterwards.
 *
 * <p>Commit order: the spool verifies first (its readers may then read the whole, verified blob),
 * then the object is completed in S3. Meant for one writing thread; the mutating methods are
 * synchronized so that a {@link #cancel()} from another thread is safe.
 */
final class S3BlobWriter implements BlobWriter {
  private static final Logger log = LoggerFactory.getLogger(S3BlobWriter.class);

  /** What the spool is, and so what a failure of the store means. */
  enum Spool {
    /** A file of this writer's own, deleted after the commit; a failing store fails the write. */
    PRIVATE,
    /** The local tier's writer, which keeps the blob; a failing store only leaves it unshared. */
    LOCAL_TIER
  }

  private enum State {
    OPEN,
    COMMITTED,
    DISCARDED
  }

  private final S3BlobStore store;
  private final S3Client s3;
  private final S3Layout layout;
  private final String key;
  private final long partSize;
  private final BlobWriter spool;
  private final Spool kind;
  private final FileChannel spooledBytes;
  private final Runnable cleanup;
  private final List<CompletedPart> parts = new ArrayList<>();
  private String uploadId;
  private long uploaded;
  private boolean storeFailed;
  private volatile State state = State.OPEN;

  private S3BlobWriter(
      S3BlobStore store, long partSize, BlobWriter spool, Spool kind, Runnable cleanup)
      throws IOException {
    this.store = store;
    this.s3 = store.client();
    this.layout = store.layout();
    this.partSize = partSize;
    this.spool = spool;
    this.kind = kind;
    this.cleanup = cleanup;
    this.key = store.layout().blob(spool.expected());
    this.spooledBytes = FileChannel.open(spool.tempFile(), StandardOpenOption.READ);
  }

  /** A writer spooling to a private file in {@code spoolDir}. */
  static S3BlobWriter start(
      S3BlobStore store, Digest expected, long size, Path spoolDir, long partSize)
      throws IOException {
    Objects.requireNonNull(expected, "expected");
    // A name of our own for the verified spool file, so no other writer's commit can collide.
    Path spooled = Files.createTempFile(spoolDir, expected.hex().substring(0, 12) + "-", ".done");
    Files.delete(spooled);
    FileSystemBlobWriter spool = FileSystemBlobWriter.start(expected, size, spoolDir, spooled);
    return opened(store, partSize, spool, Spool.PRIVATE, () -> AtomicFiles.deleteQuietly(spooled));
  }

  /** A writer whose spool is the local tier's {@code localWriter}, which keeps the blob. */
  static S3BlobWriter over(S3BlobStore store, BlobWriter localWriter, long partSize)
      throws IOException {
    return opened(store, partSize, localWriter, Spool.LOCAL_TIER, () -> {});
  }

  private static S3BlobWriter opened(
      S3BlobStore store, long partSize, BlobWriter spool, Spool kind, Runnable cleanup)
      throws IOException {
    try {
      return new S3BlobWriter(store, partSize, spool, kind, cleanup);
    } catch (IOException | RuntimeException e) {
      spool.cancel();
      cleanup.run();
      throw e;
    }
  }

  @Override
  public Digest expected() {
    return spool.expected();
  }

  /** The local spool file; S3 receives its bytes part by part. */
  @Override
  public Path tempFile() {
    return spool.tempFile();
  }

  @Override
  public long written() {
    return spool.written();
  }

  @Override
  public BlobReader openReader() throws IOException {
    if (state == State.COMMITTED && kind == Spool.PRIVATE) {
      return store
          .open(expected())
          .orElseThrow(
              () -> new NoSuchFileException(key, null, "blob " + expected() + " was removed"));
    }
    return spool.openReader();
  }

  @Override
  public synchronized void write(ByteBuffer src) throws IOException {
    if (state != State.OPEN) {
      throw new IllegalStateException("cannot write blob " + expected() + ": writer is " + state);
    }
    try {
      spool.write(src);
    } catch (IOException | RuntimeException e) {
      log.warn("Discarding blob {} after a failed write: {}", expected(), e.toString());
      discard();
      throw e;
    }
    try {
      // Strictly more than a part waiting, so the last part, sent at commit, is never empty.
      while (!storeFailed && spool.written() - uploaded > partSize) {
        uploadPart(partSize);
      }
    } catch (IOException | RuntimeException e) {
      onStoreFailure(e);
    }
  }

  @Override
  public synchronized BlobInfo commit() throws IOException {
    if (state != State.OPEN) {
      throw new IllegalStateException("cannot commit blob " + expected() + ": writer is " + state);
    }
    BlobInfo verified;
    try {
      verified = spool.commit(); // verifies; on a mismatch it discards the spool and throws
    } catch (IOException | RuntimeException e) {
      discard();
      throw e;
    }
    try {
      if (!storeFailed) {
        send(verified.size());
      }
      state = State.COMMITTED;
      return verified;
    } catch (IOException | RuntimeException e) {
      onStoreFailure(e);
      state = State.COMMITTED;
      return verified;
    } finally {
      closeSpooledBytes();
      cleanup.run();
    }
  }

  /** Completes the object in S3 from the verified spool, unless the bucket holds it already. */
  private void send(long size) throws IOException {
    if (exists()) {
      abortUpload();
      log.debug("Blob {} was already in the store", expected());
    } else if (uploadId == null) {
      putWhole(size);
    } else {
      uploadPart(size - uploaded);
      completeUpload();
    }
    log.debug("Committed blob {} ({} bytes) to {}", expected(), size, key);
  }

  /**
   * The store failed this blob's upload. A private spool has no other home for it: the write fails
   * (and a failure at commit is thrown from there). The local tier keeps it: the upload is aborted
   * and the blob stays local only.
   */
  private void onStoreFailure(Exception e) throws IOException {
    log.warn("Cannot store blob {} in {}: {}", expected(), key, e.toString());
    if (kind == Spool.PRIVATE) {
      discard();
      if (e instanceof IOException io) {
        throw io;
      }
      throw (RuntimeException) e;
    }
    storeFailed = true;
    abortUpload();
  }

  @Override
  public synchronized void cancel() {
    if (state != State.OPEN) {
      return;
    }
    log.debug("Cancelled blob {} after {} bytes", expected(), written());
    discard();
  }

  @Override
  public String toString() {
    return "S3BlobWriter[" + key + ", " + spool + ", " + parts.size() + " parts, " + state + "]";
  }

  private boolean exists() throws IOException {
    HeadObjectRequest head = HeadObjectRequest.builder().bucket(layout.bucket()).key(key).build();
    return S3Calls.ifPresent("HEAD", key, () -> s3.headObject(head)).isPresent();
  }

  private void putWhole(long size) throws IOException {
    PutObjectRequest put =
        PutObjectRequest.builder()
            .bucket(layout.bucket())
            .key(key)
            .contentType("application/octet-stream")
            .build();
    MappedByteBuffer bytes = map(0, size);
    RequestBody body =
        RequestBody.fromContentProvider(
            () -> BinaryUtils.toStream(bytes.duplicate()), size, "application/octet-stream");
    S3Calls.io("PUT", key, () -> s3.putObject(put, body));
  }

  /**
   * Sends the next {@code length} spooled bytes as the next part, starting the upload if needed.
   */
  private void uploadPart(long length) throws IOException {
    if (uploadId == null) {
      CreateMultipartUploadRequest create =
          CreateMultipartUploadRequest.builder()
              .bucket(layout.bucket())
              .key(key)
              .contentType("application/octet-stream")
              .build();
      uploadId =
          S3Calls.io("CreateMultipartUpload", key, () -> s3.createMultipartUpload(create))
              .uploadId();
    }
    int number = parts.size() + 1;
    MappedByteBuffer bytes = map(uploaded, length);
    UploadPartRequest request =
        UploadPartRequest.builder()
            .bucket(layout.bucket())
            .key(key)
            .uploadId(uploadId)
            .partNumber(number)
            .contentLength(length)
            .build();
    RequestBody body =
        RequestBody.fromContentProvider(
            () -> BinaryUtils.toStream(bytes.duplicate()), length, "application/octet-stream");
    String etag = S3Calls.io("UploadPart", key, () -> s3.uploadPart(request, body)).eTag();
    parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
    uploaded += length;
  }

  /** The spooled bytes, through the channel opened on the spool's file at the start. */
  private MappedByteBuffer map(long position, long length) throws IOException {
    return spooledBytes.map(FileChannel.MapMode.READ_ONLY, position, length);
  }

  private void closeSpooledBytes() {
    try {
      spooledBytes.close();
    } catch (IOException e) {
      log.debug("Cannot close the spool of blob {}: {}", expected(), e.toString());
    }
  }

  private void completeUpload() throws IOException {
    CompleteMultipartUploadRequest complete =
        CompleteMultipartUploadRequest.builder()
            .bucket(layout.bucket())
            .key(key)
            .uploadId(uploadId)
            .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())
            .build();
    S3Calls.io("CompleteMultipartUpload", key, () -> s3.completeMultipartUpload(complete));
    uploadId = null;
  }

  private void abortUpload() {
    if (uploadId == null) {
      return;
    }
    AbortMultipartUploadRequest abort =
        AbortMultipartUploadRequest.builder()
            .bucket(layout.bucket())
            .key(key)
            .uploadId(uploadId)
            .build();
    try {
      S3Calls.io("AbortMultipartUpload", key, () -> s3.abortMultipartUpload(abort));
    } catch (IOException e) {
      // Left to the bucket's AbortIncompleteMultipartUpload lifecycle rule.
      log.warn("Cannot abort the upload of blob {}: {}", expected(), e.toString());
    }
    uploadId = null;
  }

  private void discard() {
    state = State.DISCARDED;
    spool.cancel();
    abortUpload();
    closeSpooledBytes();
    cleanup.run();
  }
}
