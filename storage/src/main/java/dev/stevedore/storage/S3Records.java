package dev.stevedore.storage;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Small line records as S3 objects, in the same format as the files of {@link LineRecords} (one
 * field a line), so a record reads the same from a bucket as from a data directory. Every {@code
 * PUT} of S3 replaces the object atomically; {@link #writeIfAbsent} uses S3's conditional write
 * ({@code If-None-Match: *}), so of two concurrent writers exactly one wins. A record that does not
 * parse reads as absent and is logged.
 */
final class S3Records {
  private static final Logger log = LoggerFactory.getLogger(S3Records.class);
  private static final String TEXT = "text/plain; charset=utf-8";

  private final S3Client s3;
  private final String bucket;

  S3Records(S3Client s3, String bucket) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
  }

  /** Writes (replaces) the record. */
  void write(String key, String... fields) throws IOException {
    PutObjectRequest put =
        PutObjectRequest.builder().bucket(bucket).key(key).contentType(TEXT).build();
    RequestBody body = RequestBody.fromString(LineRecords.format(fields), StandardCharsets.UTF_8);
    S3Calls.io("PUT", key, () -> s3.putObject(put, body));
  }

  /** Writes the record unless an object is there already; returns whether this call wrote it. */
  boolean writeIfAbsent(String key, String... fields) throws IOException {
    PutObjectRequest put =
        PutObjectRequest.builder()
            .bucket(bucket)
            .key(key)
            .contentType(TEXT)
            .ifNoneMatch("*")
            .build();
    RequestBody body = RequestBody.fromString(LineRecords.format(fields), StandardCharsets.UTF_8);
    try {
      s3.putObject(put, body);
      return true;
    } catch (SdkException e) {
      if (S3Calls.isPreconditionFailed(e)) {
        return false;
      }
      return settledAfterFailedClaim(key, fields, e);
    }
  }

  /**
   * A server may answer a conditional {@code PUT} that lost with {@code 412} before it read the
   * body and close the connection, and the client then reports a failed write instead of the answer
   * (S3Proxy does so under concurrent claims). The object tells what happened: when it holds
   * exactly our fields the claim stands (whoever wrote them), when it holds others the claim lost,
   * and when there is none the write really failed.
   */
  private boolean settledAfterFailedClaim(String key, String[] fields, SdkException failure)
      throws IOException {
    Optional<List<String>> stored = read(key, fields.length);
    if (stored.isEmpty()) {
      throw S3Calls.failure("conditional PUT", key, failure);
    }
    return stored.get().equals(List.of(fields));
  }

  /** Reads a record of exactly {@code fieldCount} fields; empty when absent or corrupt. */
  Optional<List<String>> read(String key, int fieldCount) throws IOException {
    GetObjectRequest get = GetObjectRequest.builder().bucket(bucket).key(key).build();
    Optional<byte[]> bytes =
        S3Calls.ifPresent("GET", key, () -> s3.getObjectAsBytes(get).asByteArray());
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    if (bytes.get().length > LineRecords.MAX_RECORD_BYTES) {
      return corrupt(key, "larger than " + LineRecords.MAX_RECORD_BYTES + " bytes");
    }
    try {
      String text = LineRecords.strictUtf8(bytes.get());
      return Optional.of(LineRecords.parse(text, fieldCount));
    } catch (CharacterCodingException e) {
      return corrupt(key, "not UTF-8");
    } catch (IllegalArgumentException e) {
      return corrupt(key, e.getMessage());
    }
  }

  /** Whether an object is at {@code key}, by {@code HEAD}. */
  boolean exists(String key) throws IOException {
    HeadObjectRequest head = HeadObjectRequest.builder().bucket(bucket).key(key).build();
    return S3Calls.ifPresent("HEAD", key, () -> s3.headObject(head)).isPresent();
  }

  void delete(String key) throws IOException {
    DeleteObjectRequest delete = DeleteObjectRequest.builder().bucket(bucket).key(key).build();
    S3Calls.io("DELETE", key, () -> s3.deleteObject(delete));
  }

  private static <T> Optional<T> corrupt(String key, String reason) {
    log.warn("Ignoring corrupt record {}: {}", key, reason);
    return Optional.empty();
  }
}
