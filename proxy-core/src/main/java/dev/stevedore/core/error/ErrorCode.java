package dev.stevedore.core.error;

/**
 * The OCI Distribution error codes, with the HTTP status and message the spec gives each, plus
 * {@code UNAVAILABLE} (Docker's code for a registry that cannot answer now, which clients retry).
 * This is the one table of errors; code elsewhere only attaches a detail. Clients and the
 * conformance suite accept only these codes, so a situation the spec names no code for takes the
 * nearest one and its own HTTP status ({@link #exception(int, String)}): an unknown endpoint or a
 * malformed request is {@code UNSUPPORTED} ("missing implementation or invalid set of parameters")
 * with 404 or 400, an unsatisfiable range {@code UNSUPPORTED} with 416, and an internal failure
 * {@code UNAVAILABLE} with 500.
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
  UNAUTHORIZED(401, "authentication required"),
  DENIED(403, "requested access to the resource is denied"),
  UNSUPPORTED(405, "the operation is unsupported"),
  TOOMANYREQUESTS(429, "too many requests"),
  UNAVAILABLE(503, "service unavailable");

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

  /** This code with another HTTP status, for a situation the spec gives no code of its own. */
  public RegistryException exception(int httpStatus, String detail) {
    return new RegistryException(this, httpStatus, detail, java.util.Map.of(), null);
  }
}
