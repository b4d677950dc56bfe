package dev.stevedore.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * What the test server (S3Proxy) does with the conditional writes {@link S3Leases} relies on, so a
 * test of leases shows real behaviour: it checks {@code If-None-Match: *} and {@code If-Match:
 * <etag>} on {@code PutObject} and answers 412 when they fail (though not atomically, unlike AWS S3
 * and MinIO).
 */
class S3ConditionalPutTest {
  private static final String KEY = "conditions/object";

  private S3Client s3;
  private String bucket;

  @BeforeEach
  void setUp() throws IOException {
    S3TestServer server = S3TestServer.shared();
    s3 = server.client();
    bucket = server.newBucket();
  }

  @Test
  void ifNoneMatch_onExistingObject_isRefused() {
    put(null, "*", "first");

    assertThatThrownBy(() -> put(null, "*", "second"))
        .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(412));
  }

  @Test
  void ifMatch_withTheCurrentEtag_replaces() {
    String etag = put(null, "*", "first");

    String next = put(etag, null, "second");

    assertThat(next).isNotEqualTo(etag);
  }

  @Test
  void ifMatch_withAStaleEtag_isRefused() {
    String stale = put(null, "*", "first");
    put(stale, null, "second");

    assertThatThrownBy(() -> put(stale, null, "third"))
        .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(412));
  }

  @Test
  void ifMatch_onAMissingObject_isRefused() {
    assertThatThrownBy(() -> put("\"0123456789abcdef0123456789abcdef\"", null, "first"))
        .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isIn(404, 412));
  }

  private String put(String ifMatch, String ifNoneMatch, String body) {
    PutObjectRequest put =
        PutObjectRequest.builder()
            .bucket(bucket)
            .key(KEY)
            .ifMatch(ifMatch)
            .ifNoneMatch(ifNoneMatch)
            .build();
    return s3.putObject(put, RequestBody.fromString(body)).eTag();
  }
}
