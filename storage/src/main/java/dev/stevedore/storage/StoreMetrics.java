package dev.stevedore.storage;

/**
 * What the object store's client reports for operators: one call per request to the store, so the
 * storage module knows no metrics library. Tags stay bounded: operations are the SDK's fixed names
 * ({@code GetObject}, {@code PutObject}, ...), outcomes one of the constants below.
 */
public interface StoreMetrics {
  /** The store answered 2xx (or another answer that is not a failure). */
  String OK = "ok";

  /** The store answered 404: the object (or upload) is not there. */
  String ABSENT = "absent";

  /**
   * The store answered 409 or 412: a condition ({@code If-None-Match}, {@code If-Match}) failed.
   */
  String CONFLICT = "conflict";

  /** Any other answer, or none at all (connection refused, timed out). */
  String ERROR = "error";

  /**
   * One call to the store, counted once however often the client retried it, with the outcome of
   * its last attempt.
   *
   * @param operation the SDK's operation name, e.g. {@code GetObject}
   * @param outcome {@link #OK}, {@link #ABSENT}, {@link #CONFLICT} or {@link #ERROR}
   * @param bytesSent body bytes sent to the store ({@code PutObject}, {@code UploadPart})
   * @param bytesReceived body bytes the store announced in its answer ({@code GetObject})
   */
  void request(String operation, String outcome, long bytesSent, long bytesReceived);

  /** Reports nothing; for tests and tools. */
  StoreMetrics NONE = (operation, outcome, bytesSent, bytesReceived) -> {};
}
