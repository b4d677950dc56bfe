package dev.stevedore.core.error;

/**
 * The OCI Distribution error codes, with the HTTP status and message the spec gives each. This is
 * the one table of errors; code elsewhere only attaches a detail.
 */
public enum ErrorCode {
  BLOB_UNKNOWN(404, "blob unknown to registry"),
  BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
  BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
  DIGEST_INVALID(400, "provided digest did not match uploaded content"),
  MANIFEST_BLOB_UNKNOWN(404, "manifest references a manifest or blob unknown to registry"),
  MANIFEST_INVALID(400, "manifest invalid"),
  MANIFEST_UNKNOWN(404, "manifest unknown to registry"),
  NAME_INVALID(400, "invalid repository name"),
  NAME_UNKNOWN(404, "repository name not known to registry"),
  SIZE_INVALID(400, "provided length did not match content length"),
  RANGE_INVALID(416, "requested range not satisfiable"),
  UNAUTHORIZED(401, "authentication required"),
  DENIED(403, "requested access to the resource is denied"),
  UNSUPPORTED(405, "the operation is unsupported"),
  TOOMANYREQUESTS(429, "too many requests"),
  UNAVAILABLE(503, "service unavailable"),
  UNKNOWN(500, "unknown error"),
  /** Not an OCI code: a request HTTP itself could not parse. */
  BAD_REQUEST(400, "malformed request"),
  /** Not an OCI code: a path that is no registry endpoint. */
  NOT_FOUND(404, "not found");

  private final int httpStatus;
  private final String message;

  ErrorCode(int httpStatus, String message) {
    this.httpStatus = httpStatus;
    this.message = message;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String message() {
    return message;
  }

  /** Shorthand for {@code new RegistryException(this, detail)}. */
  public RegistryException exception(String detail) {
    return new RegistryException(this, detail);
  }
}
