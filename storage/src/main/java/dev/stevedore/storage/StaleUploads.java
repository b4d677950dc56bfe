package dev.stevedore.storage;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Aborts the multipart uploads a crashed writer left behind. {@link S3BlobWriter} aborts its upload
 * when a blob fails or is cancelled, but a process killed mid-blob cannot, and S3 keeps (and bills)
 * the parts of an upload until it is completed or aborted. The server sweeps at start with an age
 * of a day, far longer than any blob takes to write, so an upload of a live replica is never
 * touched. Only uploads under the layout's prefix are considered.
 *
 * <p>This is the braces; the belt is the bucket's lifecycle rule {@code
 * AbortIncompleteMultipartUpload} with {@code DaysAfterInitiation: 1}, which S3 applies whether or
 * not a replica ever starts again. Recommend both. A server that does not implement {@code
 * ListMultipartUploads} (some S3-compatible stores) is logged once as a warning and sweeps nothing.
 */
public final class StaleUploads {
  private static final Logger log = LoggerFactory.getLogger(StaleUploads.class);

  /** The age the server sweeps at start: a day. */
  public static final Duration DEFAULT_AGE = Duration.ofHours(24);

  private final S3Client s3;
  private final S3Layout layout;
  private final Clock clock;

  public StaleUploads(S3Client s3, S3Layout layout, Clock clock) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.layout = Objects.requireNonNull(layout, "layout");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public StaleUploads(S3Client s3, S3Layout layout) {
    this(s3, layout, Clock.systemUTC());
  }

  /**
   * Aborts the uploads under the layout's prefix initiated before now minus {@code age}. Blocking.
   *
   * @return how many were aborted; 0 when the server cannot list uploads
   */
  public int abortOlderThan(Duration age) throws IOException {
    Objects.requireNonNull(age, "age");
    Instant before = clock.instant().minus(age);
    List<MultipartUpload> stale = new ArrayList<>();
    try {
      listStale(before, stale);
    } catch (S3Exception e) {
      if (isUnsupported(e)) {
        log.warn(
            "The store cannot list multipart uploads ({}): stale uploads are not swept; set the"
                + " bucket lifecycle rule AbortIncompleteMultipartUpload instead",
            e.awsErrorDetails() == null ? e.statusCode() : e.awsErrorDetails().errorCode());
        return 0;
      }
      throw S3Calls.failure("ListMultipartUploads", layout.keysPrefix(), e);
    } catch (SdkException e) {
      throw S3Calls.failure("ListMultipartUploads", layout.keysPrefix(), e);
    }
    int aborted = 0;
    for (MultipartUpload upload : stale) {
      AbortMultipartUploadRequest abort =
          AbortMultipartUploadRequest.builder()
              .bucket(layout.bucket())
              .key(upload.key())
              .uploadId(upload.uploadId())
              .build();
      if (S3Calls.ifPresent(
              "AbortMultipartUpload", upload.key(), () -> s3.abortMultipartUpload(abort))
          .isPresent()) {
        aborted++;
      }
    }
    if (aborted > 0) {
      log.info("Aborted {} multipart uploads initiated before {}", aborted, before);
    }
    return aborted;
  }

  private void listStale(Instant before, List<MultipartUpload> stale) {
    String keyMarker = null;
    String uploadIdMarker = null;
    while (true) {
      ListMultipartUploadsResponse page =
          s3.listMultipartUploads(
              ListMultipartUploadsRequest.builder()
                  .bucket(layout.bucket())
                  .prefix(layout.keysPrefix())
                  .keyMarker(keyMarker)
                  .uploadIdMarker(uploadIdMarker)
                  .build());
      for (MultipartUpload upload : page.uploads()) {
        // the prefix again: a server that ignores it must not make us abort another layout's
        if (upload.key().startsWith(layout.keysPrefix())
            && upload.initiated() != null
            && upload.initiated().isBefore(before)) {
          stale.add(upload);
        }
      }
      if (!Boolean.TRUE.equals(page.isTruncated()) || page.nextKeyMarker() == null) {
        return;
      }
      keyMarker = page.nextKeyMarker();
      uploadIdMarker = page.nextUploadIdMarker();
    }
  }

  /**
   * Whether the server answered that it does not implement the call (501, or 400/405 saying so).
   */
  private static boolean isUnsupported(S3Exception e) {
    if (e.statusCode() == 501 || e.statusCode() == 405) {
      return true;
    }
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    return "NotImplemented".equals(code) || "MethodNotAllowed".equals(code);
  }
}
