package dev.stevedore.storage;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;

/**
 * Presigned (query-string signature v4) {@code GET} URLs of the blobs at {@link S3Layout#blob},
 * made by the SDK's {@link S3Presigner}. Built by {@link S3Connection#blobUrls}, which signs for
 * the endpoint clients reach the store under and closes the presigner with the connection.
 *
 * <p>The URL holds the access key id ({@code X-Amz-Credential}), never the secret key; with
 * temporary credentials it also holds the session token, as any presigned URL must, and is valid no
 * longer than they are.
 */
public final class S3BlobUrls implements BlobUrls {
  /** Ten minutes: long enough for a client to start a big pull, short enough to leak little. */
  public static final Duration DEFAULT_EXPIRY = Duration.ofMinutes(10);

  /** One hour: a leaked URL should not outlive an incident's response. */
  public static final Duration MAX_EXPIRY = Duration.ofHours(1);

  /** Signature v4 counts validity in whole seconds, from one. */
  static final Duration MIN_EXPIRY = Duration.ofSeconds(1);

  private final S3Client s3;
  private final S3Layout layout;
  private final S3Presigner presigner;
  private final Duration expiry;

  S3BlobUrls(S3Client s3, S3Layout layout, S3Presigner presigner, Duration expiry) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.layout = Objects.requireNonNull(layout, "layout");
    this.presigner = Objects.requireNonNull(presigner, "presigner");
    this.expiry = checkedExpiry(expiry);
  }

  /** The expiry if it is within one second and {@link #MAX_EXPIRY}, whole seconds. */
  static Duration checkedExpiry(Duration expiry) {
    Objects.requireNonNull(expiry, "expiry");
    if (expiry.compareTo(MIN_EXPIRY) < 0 || expiry.compareTo(MAX_EXPIRY) > 0) {
      throw new IllegalArgumentException(
          "presigned URL expiry must be between 1 second and 1 hour: " + expiry);
    }
    if (expiry.getNano() != 0) {
      throw new IllegalArgumentException("presigned URL expiry must be whole seconds: " + expiry);
    }
    return expiry;
  }

  @Override
  public Optional<URI> signedGet(Digest digest) throws IOException {
    String key = layout.blob(digest);
    HeadObjectRequest head = HeadObjectRequest.builder().bucket(layout.bucket()).key(key).build();
    if (S3Calls.ifPresent("HEAD", key, () -> s3.headObject(head)).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(signedGetOfStored(digest));
  }

  @Override
  public URI signedGetOfStored(Digest digest) throws IOException {
    String key = layout.blob(digest);
    GetObjectPresignRequest request =
        GetObjectPresignRequest.builder()
            .signatureDuration(expiry)
            .getObjectRequest(GetObjectRequest.builder().bucket(layout.bucket()).key(key).build())
            .build();
    try {
      return S3Calls.io("presign GET", key, () -> presigner.presignGetObject(request))
          .url()
          .toURI();
    } catch (URISyntaxException e) {
      throw new IOException("presigned URL of " + key + " is not a URI", e);
    }
  }

  @Override
  public Duration expiry() {
    return expiry;
  }

  /** Closes the presigner; the connection does, when it closes. */
  void close() {
    presigner.close();
  }

  @Override
  public String toString() {
    return "S3BlobUrls[s3://" + layout.bucket() + "/" + layout.prefix() + ", " + expiry + "]";
  }
}
