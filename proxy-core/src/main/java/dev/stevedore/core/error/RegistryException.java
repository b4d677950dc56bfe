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
  private final transient Map<String, String> headers;

  public RegistryException(ErrorCode code, String detail) {
    this(code, detail, Map.of(), null);
  }

  public RegistryException(ErrorCode code, String detail, Throwable cause) {
    this(code, detail, Map.of(), cause);
  }

  public RegistryException(
      ErrorCode code, String detail, Map<String, String> headers, Throwable cause) {
    super(detail, cause);
    this.code = Objects.requireNonNull(code, "code");
    this.headers = Map.copyOf(headers);
  }

  public ErrorCode code() {
    return code;
  }

  public String detail() {
    return getMessage();
  }

  /** Extra response headers, such as {@code Retry-After}. */
  public Map<String, String> headers() {
    return headers;
  }
}
