package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * The sweep of a crashed writer's multipart uploads, against S3Proxy on loopback (its {@code
 * transient-nio2} backend lists uploads with their initiation time). Uploads are started now, so a
 * clock a day and an hour ahead sees them as stale.
 */
class StaleUploadsTest {
  private static final Duration DAY = Duration.ofHours(24);

  private S3TestServer server;
  private S3Client s3;
  private S3Layout layout;

  private void bucket(String prefix) throws IOException {
    server = S3TestServer.shared();
    s3 = server.client();
    layout = new S3Layout(server.newBucket(), prefix);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "team/cache"})
  void abortOlderThan_abortsTheUploadsStartedBeforeTheAge(String prefix) throws IOException {
    bucket(prefix);
    String key = layout.blob(Digest.sha256("crashed".getBytes(UTF_8)));
    start(key);
    start(key);
    StaleUploads sweep =
        new StaleUploads(s3, layout, TestClock.realPlus(DAY.plus(Duration.ofHours(1))));

    assertThat(sweep.abortOlderThan(DAY)).isEqualTo(2);

    assertThat(uploads()).isEmpty();
  }

  @Test
  void abortOlderThan_leavesYoungerUploads() throws IOException {
    bucket("cache");
    start(layout.blob(Digest.sha256("writing".getBytes(UTF_8))));

    assertThat(new StaleUploads(s3, layout).abortOlderThan(DAY)).isZero();

    assertThat(uploads()).hasSize(1);
  }

  @Test
  void abortOlderThan_leavesUploadsOutsideThePrefix() throws IOException {
    bucket("team/cache");
    String outside = "team/cache2/blobs/x";
    start(outside);
    start(layout.blob(Digest.sha256("mine".getBytes(UTF_8))));
    StaleUploads sweep =
        new StaleUploads(s3, layout, TestClock.realPlus(DAY.plus(Duration.ofHours(1))));

    assertThat(sweep.abortOlderThan(DAY)).isEqualTo(1);

    assertThat(uploads()).extracting(MultipartUpload::key).containsExactly(outside);
  }

  @Test
  void abortOlderThan_aServerThatCannotListUploads_sweepsNothing() throws IOException {
    bucket("cache");
    start(layout.blob(Digest.sha256("crashed".getBytes(UTF_8))));
    try (S3Client unsupported = server.clientThrough(new NotImplementedListUploads())) {
      StaleUploads sweep =
          new StaleUploads(unsupported, layout, TestClock.realPlus(DAY.plus(Duration.ofHours(1))));

      assertThat(sweep.abortOlderThan(DAY)).isZero();
    }
    assertThat(uploads()).hasSize(1);
  }

  private void start(String key) {
    s3.createMultipartUpload(
        CreateMultipartUploadRequest.builder().bucket(layout.bucket()).key(key).build());
  }

  private List<MultipartUpload> uploads() {
    return s3.listMultipartUploads(
            ListMultipartUploadsRequest.builder().bucket(layout.bucket()).build())
        .uploads();
  }

  /** Answers ListMultipartUploads as a server that does not implement it: 501 NotImplemented. */
  private static final class NotImplementedListUploads implements ExecutionInterceptor {
    private static boolean listsUploads(Context.AfterTransmission context) {
      return context.httpRequest().rawQueryParameters().containsKey("uploads")
          && context.httpRequest().method().name().equals("GET");
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(
        Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
      if (!listsUploads(context)) {
        return context.httpResponse();
      }
      return context.httpResponse().toBuilder()
          .statusCode(501)
          .statusText("Not Implemented")
          .build();
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(
        Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
      if (!listsUploads(context)) {
        return context.responseBody();
      }
      String error =
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NotImplemented</Code>"
              + "<Message>A header you provided implies functionality that is not"
              + " implemented</Message></Error>";
      return Optional.of(new ByteArrayInputStream(error.getBytes(UTF_8)));
    }
  }
}
