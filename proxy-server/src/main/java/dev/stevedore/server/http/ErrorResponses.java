package dev.stevedore.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.stevedore.core.cache.Futures;
import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.json.Json;
import dev.stevedore.storage.ObjectStoreException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place that turns a failure into the OCI error body with the spec's status. */
final class ErrorResponses {
  private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

  private ErrorResponses() {}

  static FullHttpResponse of(Throwable failure, boolean head) {
    RegistryException error = asRegistryException(failure);
    String body;
    try {
      body =
          Json.MAPPER.writeValueAsString(
              new Body(
                  List.of(
                      new Entry(
                          error.code().name(),
                          error.code().message(),
                          error.detail() == null ? "" : error.detail()))));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    FullHttpResponse response =
        Responses.json(HttpResponseStatus.valueOf(error.httpStatus()), body, head);
    error.headers().forEach((name, value) -> response.headers().set(name, value));
    return response;
  }

  /** The OCI error body: {@code {"errors":[{"code","message","detail"}]}}. */
  private record Body(List<Entry> errors) {}

  private record Entry(String code, String message, String detail) {}

  /** The store's failure behind {@code failure}, however wrapped. */
  private static Optional<ObjectStoreException> storeFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ObjectStoreException store) {
        return Optional.of(store);
      }
    }
    return Optional.empty();
  }

  static RegistryException asRegistryException(Throwable failure) {
    Throwable cause = Futures.unwrap(failure);
    if (cause instanceof RegistryException registryError) {
      return registryError;
    }
    Optional<ObjectStoreException> store = storeFailure(cause);
    if (store.isPresent()) {
      log.warn("The shared store failed a request: {}", store.get().getMessage());
      return new RegistryException(
          ErrorCode.UNAVAILABLE, "the cache's shared store is unavailable", store.get());
    }
    log.error("unexpected failure while serving a request", cause);
    return RegistryException.internal("internal error: " + cause.getClass().getSimpleName(), cause);
  }
}
