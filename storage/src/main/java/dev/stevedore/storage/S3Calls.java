package dev.stevedore.storage;

import java.io.IOException;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The one place where the SDK's unchecked exceptions become the storage module's error model: an
 * {@link ObjectStoreException} naming the operation and key, with the SDK's exception as the cause.
 * A missing key is not an error but an empty answer.
 */
final class S3Calls {
  private S3Calls() {}

  /** Runs {@code call}; an S3 or client failure becomes an {@link IOException}. */
  static <T> T io(String what, String key, Supplier<T> call) throws IOException {
    try {
      return call.get();
    } catch (SdkException e) {
      throw failure(what, key, e);
    }
  }

  /** Runs {@code call}; a 404 (no such key) is empty, any other failure an {@link IOException}. */
  static <T> Optional<T> ifPresent(String what, String key, Supplier<T> call) throws IOException {
    try {
      return Optional.of(call.get());
    } catch (SdkException e) {
      if (isNotFound(e)) {
        return Optional.empty();
      }
      throw failure(what, key, e);
    }
  }

  /** Whether S3 answered that the key (or upload) does not exist. */
  static boolean isNotFound(SdkException e) {
    return e instanceof S3Exception s3 && s3.statusCode() == 404;
  }

  /** Whether S3 refused a conditional request because its precondition failed (412, 409). */
  static boolean isPreconditionFailed(SdkException e) {
    return e instanceof S3Exception s3 && (s3.statusCode() == 412 || s3.statusCode() == 409);
  }

  static ObjectStoreException failure(String what, String key, SdkException e) {
    return new ObjectStoreException("S3 " + what + " of " + key + " failed: " + e.getMessage(), e);
  }
}
