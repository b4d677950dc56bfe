package dev.stevedore.storage;

import dev.stevedore.storage.text.Printable;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The start-up check of the shared store: one {@code HeadBucket}, classified by what it says about
 * the configuration. An answer that says no (wrong credentials, no such bucket) will not change by
 * waiting, so {@code serve} stops with it; no answer at all (connection refused, timeout, unknown
 * host) may pass, so {@code serve} starts, serves its local tier and reports itself not ready.
 *
 * <p>The line never holds a secret: credentials are not in any message the SDK builds here, the
 * endpoint is shown without user info, and foreign text is masked to one line.
 */
public final class StoreCheck {
  /** How long the whole check may take, retries included, before the store counts unreachable. */
  public static final Duration CHECK_TIMEOUT = Duration.ofSeconds(15);

  private static final int MAX_REASON_CHARS = 200;

  /** What the store said. */
  public enum Verdict {
    /** The bucket exists and the store accepted the credentials. */
    REACHABLE,
    /** The store answered no: {@code serve} stops with the line (exit 2). */
    REFUSED,
    /** No answer: {@code serve} starts, not ready, with the line as the reason. */
    UNREACHABLE
  }

  /**
   * The outcome of the check.
   *
   * @param verdict what the store said
   * @param line one line for people naming the bucket and the problem (or that all is well)
   */
  public record Result(Verdict verdict, String line) {
    public Result {
      Objects.requireNonNull(verdict, "verdict");
      Objects.requireNonNull(line, "line");
    }
  }

  private StoreCheck() {}

  /**
   * Asks the store whether the bucket of {@code connection} exists and is ours to use. Blocking.
   */
  public static Result check(S3Connection connection) {
    String bucket = connection.layout().bucket();
    String where = connection.where();
    try {
      connection
          .client()
          .headBucket(
              HeadBucketRequest.builder()
                  .bucket(bucket)
                  .overrideConfiguration(c -> c.apiCallTimeout(CHECK_TIMEOUT))
                  .build());
      return new Result(Verdict.REACHABLE, "bucket " + bucket + " at " + where + " is reachable");
    } catch (S3Exception e) {
      return answered(e, bucket, where);
    } catch (SdkClientException e) {
      if (isMissingCredentials(e)) {
        return new Result(
            Verdict.REFUSED,
            "no credentials for bucket "
                + bucket
                + " in the AWS chain (environment, system properties, profile, web identity,"
                + " container or instance role)");
      }
      return new Result(
          Verdict.UNREACHABLE,
          "the store at " + where + " is unreachable for bucket " + bucket + ": " + reason(e));
    } catch (SdkException e) {
      return new Result(
          Verdict.UNREACHABLE,
          "the store at " + where + " failed for bucket " + bucket + ": " + reason(e));
    }
  }

  /** Classifies an answer; a HEAD has no body, so the status code decides, not the error code. */
  private static Result answered(S3Exception e, String bucket, String where) {
    int status = e.statusCode();
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    if (status == 403 || isCredentialCode(code)) {
      return new Result(Verdict.REFUSED, "the store refused the credentials for bucket " + bucket);
    }
    if (status == 404) {
      return new Result(Verdict.REFUSED, "bucket " + bucket + " does not exist at " + where);
    }
    if (status >= 500) {
      return new Result(
          Verdict.UNREACHABLE,
          "the store at " + where + " answered " + status + " for bucket " + bucket);
    }
    return new Result(
        Verdict.REFUSED,
        "the store at "
            + where
            + " answered "
            + status
            + (code == null || code.isEmpty() ? "" : " " + Printable.masked(code, 64))
            + " for bucket "
            + bucket);
  }

  /**
   * The credential chain found nothing: a configuration problem that waiting will not fix. The SDK
   * says so only in its message.
   */
  private static boolean isMissingCredentials(SdkClientException e) {
    return e.getMessage() != null && e.getMessage().startsWith("Unable to load credentials");
  }

  private static boolean isCredentialCode(String code) {
    return "InvalidAccessKeyId".equals(code)
        || "SignatureDoesNotMatch".equals(code)
        || "AccessDenied".equals(code);
  }

  /** The innermost cause (e.g. {@code ConnectException: Connection refused}), as one line. */
  private static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    String text =
        root.getClass().getSimpleName()
            + (message == null || message.isEmpty() ? "" : ": " + message);
    return Printable.oneLine(text, MAX_REASON_CHARS);
  }
}
