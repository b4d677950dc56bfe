package dev.stevedore.core.upstream;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.Objects;

/**
 * One upstream exchange after any redirects: status, headers, the URI that answered, how many
 * redirects led there, the body (read as the {@link BodyPlan} said; {@code null} unless the status
 * was 200 and the plan reads bodies) and, for any other status, the error body read with a cap.
 */
record Reply<T>(
    int status, HttpHeaders headers, URI uri, int redirects, T body, CappedBytes errorBody) {

  Reply {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(errorBody, "errorBody");
  }

  /** Content-Length, or {@code -1} when absent or malformed. */
  long contentLength() {
    return headers.firstValue("Content-Length").map(Reply::parseLength).orElse(-1L);
  }

  private static long parseLength(String value) {
    try {
      long length = Long.parseLong(value.strip());
      return length >= 0 ? length : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
