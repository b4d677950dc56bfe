package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorResponsesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The response's status, headers and parsed body; the response is released. */
  private record Answer(int status, io.netty.handler.codec.http.HttpHeaders headers, String body) {
    JsonNode error() throws Exception {
      JsonNode root = JSON.readTree(body);
      assertThat(root.fieldNames()).toIterable().containsExactly("errors");
      assertThat(root.get("errors")).hasSize(1);
      return root.get("errors").get(0);
    }
  }

  private static Answer answer(Throwable failure, boolean head) {
    FullHttpResponse response = ErrorResponses.of(failure, head);
    try {
      return new Answer(
          response.status().code(),
          response.headers().copy(),
          response.content().toString(StandardCharsets.UTF_8));
    } finally {
      response.release();
    }
  }

  @Test
  void of_registryException_isStatusAndOciBody() throws Exception {
    Answer answer =
        answer(ErrorCode.MANIFEST_UNKNOWN.exception("no tag 3.99 in library/alpine"), false);

    assertThat(answer.status()).isEqualTo(404);
    JsonNode error = answer.error();
    assertThat(error.get("code").asText()).isEqualTo("MANIFEST_UNKNOWN");
    assertThat(error.get("message").asText()).isEqualTo("manifest unknown to registry");
    assertThat(error.get("detail").asText()).isEqualTo("no tag 3.99 in library/alpine");
  }

  @Test
  void of_sharedStoreFailure_howeverWrapped_is503Unavailable() throws Exception {
    Throwable wrapped =
        new java.util.concurrent.CompletionException(
            new java.io.UncheckedIOException(
                new dev.stevedore.storage.ObjectStoreException(
                    "S3 GET of blobs/sha256/ab/abc failed: Connection refused", null)));

    Answer answer = answer(wrapped, false);

    assertThat(answer.status()).isEqualTo(503);
    JsonNode error = answer.error();
    assertThat(error.get("code").asText()).isEqualTo("UNAVAILABLE");
    assertThat(error.get("detail").asText()).isEqualTo("the cache's shared store is unavailable");
  }

  @Test
  void of_anyResponse_isJsonWithApiVersionAndLength() {
    Answer answer = answer(ErrorCode.NAME_INVALID.exception("bad"), false);

    assertThat(answer.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
    assertThat(answer.headers().get("Docker-Distribution-API-Version")).isEqualTo("registry/2.0");
    assertThat(answer.headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
        .isEqualTo(answer.body().getBytes(StandardCharsets.UTF_8).length);
  }

  @ParameterizedTest
  @EnumSource(ErrorCode.class)
  void of_everyCode_usesItsStatusAndName(ErrorCode code) throws Exception {
    Answer answer = answer(code.exception("detail"), false);

    assertThat(answer.status()).isEqualTo(code.httpStatus());
    assertThat(answer.error().get("code").asText()).isEqualTo(code.name());
    assertThat(answer.error().get("message").asText()).isEqualTo(code.message());
  }

  @Test
  void of_extraHeaders_areCopied() {
    RegistryException tooMany =
        new RegistryException(
            ErrorCode.TOOMANYREQUESTS, "Docker Hub pull limit", Map.of("Retry-After", "60"), null);

    Answer answer = answer(tooMany, false);

    assertThat(answer.status()).isEqualTo(429);
    assertThat(answer.headers().get("Retry-After")).isEqualTo("60");
  }

  @Test
  void of_nullDetail_isEmptyDetail() throws Exception {
    Answer answer = answer(new RegistryException(ErrorCode.UNAVAILABLE, null), false);

    assertThat(answer.error().get("detail").asText()).isEmpty();
  }

  @Test
  void of_detailWithQuotesAndNewline_isValidJson() throws Exception {
    Answer answer = answer(ErrorCode.DENIED.exception("say \"no\"\nand </script>"), false);

    assertThat(answer.error().get("detail").asText()).isEqualTo("say \"no\"\nand </script>");
  }

  @Test
  void of_completionExceptionWrapper_isUnwrapped() throws Exception {
    Answer answer =
        answer(new CompletionException(ErrorCode.BLOB_UNKNOWN.exception("gone")), false);

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.error().get("code").asText()).isEqualTo("BLOB_UNKNOWN");
  }

  @Test
  void of_nestedWrappers_areUnwrapped() throws Exception {
    Answer answer =
        answer(
            new CompletionException(
                new ExecutionException(ErrorCode.UNAUTHORIZED.exception("token"))),
            false);

    assertThat(answer.status()).isEqualTo(401);
  }

  @Test
  void of_nonRegistryException_is500Unavailable() throws Exception {
    Answer answer = answer(new IllegalStateException("secret internal detail"), false);

    assertThat(answer.status()).isEqualTo(500);
    JsonNode error = answer.error();
    assertThat(error.get("code").asText()).isEqualTo("UNAVAILABLE");
    assertThat(error.get("detail").asText())
        .contains("IllegalStateException")
        .doesNotContain("secret internal detail");
  }

  @Test
  void of_wrappedNonRegistryException_is500Unavailable() throws Exception {
    Answer answer = answer(new CompletionException(new java.io.IOException("disk")), false);

    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.error().get("code").asText()).isEqualTo("UNAVAILABLE");
  }

  @Test
  void of_head_hasNoBodyButContentLength() {
    Answer get = answer(ErrorCode.MANIFEST_UNKNOWN.exception("x"), false);
    Answer head = answer(ErrorCode.MANIFEST_UNKNOWN.exception("x"), true);

    assertThat(head.status()).isEqualTo(404);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
        .isEqualTo(get.body().length())
        .isPositive();
  }

  @Test
  void of_headWithExtraHeaders_keepsThem() {
    RegistryException tooMany =
        new RegistryException(ErrorCode.TOOMANYREQUESTS, "limit", Map.of("Retry-After", "5"), null);

    assertThat(answer(tooMany, true).headers().get("Retry-After")).isEqualTo("5");
  }

  @Test
  void asRegistryException_registryException_isSameInstance() {
    RegistryException error = ErrorCode.DENIED.exception("no");

    assertThat(ErrorResponses.asRegistryException(new CompletionException(error))).isSameAs(error);
  }
}
