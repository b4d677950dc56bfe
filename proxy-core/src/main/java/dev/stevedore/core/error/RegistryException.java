package dev.stevedore.core.error;

import java.util.Map;
import java.util.Objects;

/**
 * The one error type the serving path throws: an {@link ErrorCode}, a human detail, and any
 * response headers the client needs (for example {@code Retry-After} on 429). The server turns it
 * into the OCI JSON error body in one place.
 */
public final class RegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final int httpStatus;
  private final transient Map<String, String> headers;

  public RegistryException(ErrorCode code, String detail) {
    this(code, detail, Map.of(), null);
  }

  public RegistryException(ErrorCode code, String detail, Throwable cause) {
    this(code, detail, Map.of(), cause);
  }

  public RegistryException(
      ErrorCode code, String detail, Map<String, String> headers, Throwable cause) {
    this(code, code.httpStatus(), detail, headers, cause);
  }

  /** An error answered with {@code httpStatus} rather than its code's usual one. */
  public RegistryException(
      ErrorCode code, int httpStatus, String detail, Map<String, String> headers, Throwable cause) {
    super(detail, cause);
    this.code = Objects.requireNonNull(code, "code");
    this.httpStatus = httpStatus;
    this.headers = Map.copyOf(headers);
  }

  /**
   * An internal failure: HTTP 500 with {@code UNAVAILABLE}, the nearest spec code (the spec has no
   * code for "unknown error", and clients retry this one).
   */
  public static RegistryException internal(String detail, Throwable cause) {
    return new RegistryException(ErrorCode.UNAVAILABLE, 500, detail, Map.of(), cause);
  }

  public ErrorCode code() {
    return code;
  }

  /** The HTTP status to answer: the code's own unless this error chose another. */
  public int httpStatus() {
    return httpStatus;
  }

  public String detail() {
    return getMessage();
  }

  /** Extra response headers, such as {@code Retry-After}. */
  public Map<String, String> headers() {
    return headers;
  }
}
