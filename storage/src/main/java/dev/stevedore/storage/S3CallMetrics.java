package dev.stevedore.storage;

import java.util.Optional;
import java.util.OptionalLong;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * Reports every call of an {@link S3Connection}'s client to its {@link StoreMetrics}, so no store
 * class has to remember to: the SDK runs this interceptor once per call, after it succeeded or
 * failed for good (retries included). Bytes come from the {@code Content-Length} headers, not the
 * streams, so a {@code GetObject} counts the body the store announced when the call returns, before
 * the caller reads it; a SigV4 chunked upload counts its decoded length, not the signatures.
 */
final class S3CallMetrics implements ExecutionInterceptor {
  private static final String DECODED_LENGTH = "x-amz-decoded-content-length";
  private static final String CONTENT_LENGTH = "Content-Length";

  private final StoreMetrics metrics;

  S3CallMetrics(StoreMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    report(attributes, Optional.of(context.httpRequest()), Optional.of(context.httpResponse()));
  }

  @Override
  public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
    report(attributes, context.httpRequest(), context.httpResponse());
  }

  private void report(
      ExecutionAttributes attributes,
      Optional<SdkHttpRequest> request,
      Optional<SdkHttpResponse> response) {
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    metrics.request(
        operation == null ? "unknown" : operation,
        response.map(r -> outcomeOf(r.statusCode())).orElse(StoreMetrics.ERROR),
        request.map(S3CallMetrics::bytesSent).orElse(0L),
        response.isPresent() && request.isPresent()
            ? bytesReceived(request.get(), response.get())
            : 0L);
  }

  /** The outcome of an answer with {@code status}. */
  static String outcomeOf(int status) {
    if (status == 404) {
      return StoreMetrics.ABSENT;
    }
    if (status == 409 || status == 412) {
      return StoreMetrics.CONFLICT;
    }
    return status < 400 ? StoreMetrics.OK : StoreMetrics.ERROR;
  }

  private static long bytesSent(SdkHttpRequest request) {
    return length(request.firstMatchingHeader(DECODED_LENGTH))
        .orElse(length(request.firstMatchingHeader(CONTENT_LENGTH)).orElse(0));
  }

  /** The answer's body; a {@code HEAD} answer announces the object's length but sends no body. */
  private static long bytesReceived(SdkHttpRequest request, SdkHttpResponse response) {
    if (request.method() == SdkHttpMethod.HEAD) {
      return 0;
    }
    return length(response.firstMatchingHeader(CONTENT_LENGTH)).orElse(0);
  }

  private static OptionalLong length(Optional<String> header) {
    if (header.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      long value = Long.parseLong(header.get().trim());
      return value >= 0 ? OptionalLong.of(value) : OptionalLong.empty();
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
