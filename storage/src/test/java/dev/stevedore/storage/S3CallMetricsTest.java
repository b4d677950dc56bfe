package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The calls an {@link S3Connection} reports to its {@link StoreMetrics}, against S3Proxy: each
 * request once, with its outcome and body bytes. Credentials come from the AWS chain's system
 * properties, as in production; the test sets them and restores them afterwards.
 */
class S3CallMetricsTest {
  private static final String ACCESS_KEY = "aws.accessKeyId";
  private static final String SECRET_KEY = "aws.secretAccessKey";

  private final RecordingMetrics metrics = new RecordingMetrics();
  private S3TestServer server;
  private String bucket;
  private String savedAccessKey;
  private String savedSecretKey;

  @BeforeEach
  void credentials() throws IOException {
    server = S3TestServer.shared();
    savedAccessKey = System.getProperty(ACCESS_KEY);
    savedSecretKey = System.getProperty(SECRET_KEY);
    System.setProperty(ACCESS_KEY, server.identity());
    System.setProperty(SECRET_KEY, server.credential());
    bucket = server.newBucket();
  }

  @AfterEach
  void restoreCredentials() {
    restore(ACCESS_KEY, savedAccessKey);
    restore(SECRET_KEY, savedSecretKey);
  }

  @Test
  void putGetAndMissingGet_countOkOkAbsentWithTheirBytes() {
    byte[] content = TestBlobs.randomBytes(70_000);
    try (S3Connection connection = open(server.endpoint())) {
      S3Client client = connection.client();
      client.putObject(put("blob"), RequestBody.fromBytes(content));
      byte[] read = client.getObjectAsBytes(get("blob")).asByteArray();
      assertThatThrownBy(() -> client.getObject(get("missing")))
          .isInstanceOf(NoSuchKeyException.class);

      assertThat(read).isEqualTo(content);
    }

    assertThat(metrics.calls)
        .containsExactly(
            new Call("PutObject", StoreMetrics.OK, content.length, 0),
            new Call("GetObject", StoreMetrics.OK, 0, content.length),
            new Call("GetObject", StoreMetrics.ABSENT, 0, metrics.calls.get(2).bytesReceived()));
  }

  @Test
  void headOfAStoredObject_receivesNoBody() {
    try (S3Connection connection = open(server.endpoint())) {
      connection.client().putObject(put("small"), RequestBody.fromString("twelve bytes"));
      connection
          .client()
          .headObject(HeadObjectRequest.builder().bucket(bucket).key("small").build());
    }

    assertThat(metrics.calls)
        .containsExactly(
            new Call("PutObject", StoreMetrics.OK, "twelve bytes".getBytes(UTF_8).length, 0),
            new Call("HeadObject", StoreMetrics.OK, 0, 0));
  }

  @Test
  void conditionalPutOfAnExistingKey_countsConflict() {
    try (S3Connection connection = open(server.endpoint())) {
      S3Client client = connection.client();
      client.putObject(put("once"), RequestBody.fromString("first"));
      assertThatThrownBy(
              () ->
                  client.putObject(
                      put("once").toBuilder().ifNoneMatch("*").build(),
                      RequestBody.fromString("second")))
          .isInstanceOf(S3Exception.class);
    }

    assertThat(metrics.calls).extracting(Call::outcome).containsExactly("ok", "conflict");
  }

  @Test
  void deadEndpoint_countsOneErrorPerCall() throws IOException {
    try (S3Connection connection = open(closedPort())) {
      assertThatThrownBy(
              () ->
                  connection
                      .client()
                      .headObject(HeadObjectRequest.builder().bucket(bucket).key("k").build()))
          .isInstanceOf(SdkClientException.class);
    }

    assertThat(metrics.calls).containsExactly(new Call("HeadObject", StoreMetrics.ERROR, 0, 0));
  }

  @Test
  void outcomeOf_mapsStatusesToBoundedOutcomes() {
    assertThat(S3CallMetrics.outcomeOf(200)).isEqualTo("ok");
    assertThat(S3CallMetrics.outcomeOf(206)).isEqualTo("ok");
    assertThat(S3CallMetrics.outcomeOf(304)).isEqualTo("ok");
    assertThat(S3CallMetrics.outcomeOf(404)).isEqualTo("absent");
    assertThat(S3CallMetrics.outcomeOf(409)).isEqualTo("conflict");
    assertThat(S3CallMetrics.outcomeOf(412)).isEqualTo("conflict");
    assertThat(S3CallMetrics.outcomeOf(403)).isEqualTo("error");
    assertThat(S3CallMetrics.outcomeOf(503)).isEqualTo("error");
  }

  private S3Connection open(URI endpoint) {
    return S3Connection.open(
        new S3Layout(bucket, "p"), Optional.of(endpoint), "us-east-1", metrics);
  }

  private PutObjectRequest put(String key) {
    return PutObjectRequest.builder().bucket(bucket).key(key).build();
  }

  private GetObjectRequest get(String key) {
    return GetObjectRequest.builder().bucket(bucket).key(key).build();
  }

  /** A port on 127.0.0.1 that nothing listens on: bound once, then closed. */
  private static URI closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
  }

  private static void restore(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }

  private record Call(String operation, String outcome, long bytesSent, long bytesReceived) {}

  private static final class RecordingMetrics implements StoreMetrics {
    final List<Call> calls = new CopyOnWriteArrayList<>();

    @Override
    public void request(String operation, String outcome, long bytesSent, long bytesReceived) {
      calls.add(new Call(operation, outcome, bytesSent, bytesReceived));
    }
  }
}
