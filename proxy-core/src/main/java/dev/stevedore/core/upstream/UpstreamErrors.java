package dev.stevedore.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.json.Json;
import dev.stevedore.storage.text.Printable;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns upstream answers and failures into {@link RegistryException}s, so
 * callers only ever see the OCI error model, as the direct cause of a failed future.
 */
final class UpstreamErrors {

  private static final Logger log = LoggerFactory.getLogger(UpstreamErrors.class);
  private static final int MAX_DETAIL_PART = 300;

  private final String upstream;

  UpstreamErrors(String upstream) {
    this.upstream = upstream;
  }

  /**
   * The error for a final, unsuccessful status of a request for {@code what}; a 404 is {@code
   * notFound} (what the endpoint says it means).
   */
  RegistryException forStatus(ErrorCode notFound, String what, Reply<?> reply) {
    int status = reply.status();
    String prefix = "upstream " + upstream;
    if (status == 404) {
      return notFound == ErrorCode.UNAVAILABLE
          ? ErrorCode.UNAVAILABLE.exception(prefix + " answered HTTP 404 for " + what)
          : notFound.exception(prefix + " has no " + what);
    }
    if (status == 401 || status == 403) {
      return ErrorCode.DENIED.exception(
          prefix + " denied access to " + what + " (HTTP " + status + ")");
    }
    if (status == 429) {
      Map<String, String> headers =
          reply
              .headers()
              .firstValue("Retry-After")
              .map(value -> Map.of("Retry-After", value))
              .orElse(Map.of());
      return new RegistryException(
          ErrorCode.TOOMANYREQUESTS, prefix + " is rate limiting " + what, headers, null);
    }
    if (status >= 500 && status <= 599) {
      return ErrorCode.UNAVAILABLE.exception(prefix + " answered HTTP " + status + " for " + what);
    }
    if (status >= 400 && status <= 499) {
      return fromErrorBody(prefix + " answered HTTP " + status + " for " + what, reply);
    }
    return RegistryException.internal(
        prefix + " answered unexpected HTTP " + status + " for " + what, null);
  }

  /** The error for a failed exchange: network trouble, timeouts, unusable answers. */
  RegistryException forFailure(Throwable failure, String what) {
    Throwable cause = unwrap(failure);
    for (Throwable inner = cause; inner != null; inner = inner.getCause()) {
      if (inner instanceof RegistryException registryException) {
        return registryException; // ours, such as a refused buffer reservation, maybe wrapped
      }
    }
    String prefix = "upstream " + upstream;
    if (cause instanceof UpstreamProtocolException) {
      return unavailable(
          prefix + " sent an unusable answer for " + what + ": " + cause.getMessage(), cause);
    }
    if (cause instanceof HttpConnectTimeoutException) {
      return unavailable(prefix + " did not accept a connection in time", cause);
    }
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      return unavailable(prefix + " timed out on " + what, cause);
    }
    if (cause instanceof ConnectException) {
      return unavailable(prefix + " is unreachable: " + describe(cause), cause);
    }
    if (cause instanceof IOException) {
      return unavailable(prefix + " failed on " + what + ": " + describe(cause), cause);
    }
    return RegistryException.internal(
        "unexpected failure talking to " + prefix + " about " + what + ": " + describe(cause),
        cause);
  }

  private static RegistryException unavailable(String detail, Throwable cause) {
    return new RegistryException(ErrorCode.UNAVAILABLE, detail, cause);
  }

  /**
   * Runs {@code call} and returns a future that fails with a {@link RegistryException} as its
   * direct cause (no {@link CompletionException} wrapper). A value that arrives after the caller
   * cancelled is closed if it is {@link AutoCloseable}.
   */
  <T> CompletableFuture<T> mapped(String what, Supplier<CompletableFuture<T>> call) {
    CompletableFuture<T> started;
    try {
      started = call.get();
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    started.whenComplete(
        (value, failure) -> {
          if (failure == null) {
            if (!result.complete(value)) {
              closeQuietly(value);
            }
            return;
          }
          Throwable cause = unwrap(failure);
          if (cause instanceof CancellationException) {
            result.completeExceptionally(cause);
            return;
          }
          RegistryException error = forFailure(cause, what);
          log.debug("upstream {}: {} failed: {} {}", upstream, what, error.code(), error.detail());
          result.completeExceptionally(error);
        });
    return result;
  }

  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** A 4xx with an OCI error body keeps upstream's code when it is one of ours. */
  private static RegistryException fromErrorBody(String detail, Reply<?> reply) {
    Optional<JsonNode> first = firstError(reply.errorBody().bytes());
    if (first.isEmpty()) {
      return RegistryException.internal(detail, null);
    }
    String code = first.get().path("code").asText("");
    String message = first.get().path("message").asText("");
    String fullDetail = message.isEmpty() ? detail : detail + ": " + printable(message);
    return knownCode(code)
        .map(known -> known.exception(fullDetail))
        .orElseGet(() -> RegistryException.internal(fullDetail, null));
  }

  private static Optional<JsonNode> firstError(byte[] body) {
    if (body.length == 0) {
      return Optional.empty();
    }
    try {
      JsonNode errors = Json.MAPPER.readTree(body).path("errors");
      return errors.isArray() && errors.size() > 0 && errors.get(0).isObject()
          ? Optional.of(errors.get(0))
          : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<ErrorCode> knownCode(String code) {
    for (ErrorCode candidate : ErrorCode.values()) {
      if (candidate.name().equals(code)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    String name = cause.getClass().getSimpleName();
    return message == null || message.isBlank() ? name : name + ": " + printable(message);
  }

  static String printable(String text) {
    return Printable.oneLine(text, MAX_DETAIL_PART);
  }

  private static void closeQuietly(Object value) {
    if (value instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.debug("closing an abandoned upstream response failed", e);
      }
    }
  }
}
