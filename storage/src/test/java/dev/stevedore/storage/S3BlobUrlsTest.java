package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Presigned blob URLs against S3Proxy, fetched as a registry client would: a plain HTTP client with
 * no credentials and no headers. The connection takes its credentials from the AWS chain's system
 * properties, as in production; the test sets them and restores them afterwards.
 */
class S3BlobUrlsTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private S3TestServer server;
  private S3Layout layout;
  private S3Connection connection;
  private AwsChainProperties aws;

  @BeforeEach
  void connect() throws IOException {
    server = S3TestServer.shared();
    aws = AwsChainProperties.of(server);
    layout = new S3Layout(server.newBucket(), "cache/one");
    connection = S3Connection.open(layout, Optional.of(server.endpoint()), "us-east-1");
  }

  @AfterEach
  void close() {
    connection.close();
    aws.close();
  }

  @Test
  void signedGet_storedBlob_servesExactlyItsBytesWithoutCredentials() throws Exception {
    byte[] content = TestBlobs.randomBytes(100_000);
    Digest digest = put(content);
    BlobUrls urls = connection.blobUrls(Optional.empty(), S3BlobUrls.DEFAULT_EXPIRY);

    URI url = urls.signedGet(digest).orElseThrow();

    HttpResponse<byte[]> response = get(url);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(content);
  }

  @Test
  void signedGet_blobNotInTheStore_isEmpty() throws IOException {
    BlobUrls urls = connection.blobUrls(Optional.empty(), S3BlobUrls.DEFAULT_EXPIRY);

    assertThat(urls.signedGet(Digest.sha256("absent".getBytes(UTF_8)))).isEmpty();
  }

  @Test
  void signedGetOfStored_urlServesTheBlob() throws Exception {
    byte[] content = "known to be there".getBytes(UTF_8);
    Digest digest = put(content);
    BlobUrls urls = connection.blobUrls(Optional.empty(), S3BlobUrls.DEFAULT_EXPIRY);

    HttpResponse<byte[]> response = get(urls.signedGetOfStored(digest));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(content);
  }

  @Test
  void rangeRequest_onTheUrl_servesThatRange() throws Exception {
    byte[] content = TestBlobs.randomBytes(10_000);
    Digest digest = put(content);
    URI url =
        connection.blobUrls(Optional.empty(), S3BlobUrls.DEFAULT_EXPIRY).signedGetOfStored(digest);

    HttpResponse<byte[]> response =
        HTTP.send(
            HttpRequest.newBuilder(url).header("Range", "bytes=100-1099").build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(206);
    assertThat(response.body()).isEqualTo(Arrays.copyOfRange(content, 100, 1100));
  }

  @Test
  void url_holdsTheAccessKeyIdAndSignature_neverTheSecretKey() throws IOException {
    Digest digest = put("secret-free".getBytes(UTF_8));

    URI url =
        connection.blobUrls(Optional.empty(), S3BlobUrls.DEFAULT_EXPIRY).signedGetOfStored(digest);

    assertThat(url.toString()).doesNotContain(server.credential());
    assertThat(url.getRawQuery())
        .contains("X-Amz-Algorithm=AWS4-HMAC-SHA256")
        .contains("X-Amz-Credential=" + server.identity() + "%2F")
        .contains("X-Amz-Expires=600")
        .contains("X-Amz-Signature=");
  }

  @Test
  void withoutPublicEndpoint_theUrlIsPathStyleOnTheConnectionsEndpoint() throws IOException {
    Digest digest = put("here".getBytes(UTF_8));

    URI url =
        connection.blobUrls(Optional.empty(), S3BlobUrls.DEFAULT_EXPIRY).signedGetOfStored(digest);

    assertThat(url.getScheme()).isEqualTo("http");
    assertThat(url.getHost()).isEqualTo("127.0.0.1");
    assertThat(url.getPort()).isEqualTo(server.endpoint().getPort());
    assertThat(url.getRawPath()).isEqualTo("/" + layout.bucket() + "/" + layout.blob(digest));
  }

  @Test
  void publicEndpoint_isWhereTheUrlPoints_pathStyle() throws IOException {
    Digest digest = put("public".getBytes(UTF_8));

    URI url =
        connection
            .blobUrls(
                Optional.of(URI.create("https://registry-files.example.com:8443")),
                S3BlobUrls.DEFAULT_EXPIRY)
            .signedGetOfStored(digest);

    assertThat(url.getScheme()).isEqualTo("https");
    assertThat(url.getHost()).isEqualTo("registry-files.example.com");
    assertThat(url.getPort()).isEqualTo(8443);
    assertThat(url.getRawPath()).isEqualTo("/" + layout.bucket() + "/" + layout.blob(digest));
  }

  /** Signing needs credentials only, no request: AWS S3's URL is virtual-hosted, as it prefers. */
  @Test
  void awsWithoutEndpoint_isVirtualHostedOnTheRegionsHost() throws IOException {
    Digest digest = Digest.sha256("on aws".getBytes(UTF_8));
    try (S3Connection aws = S3Connection.open(layout, Optional.empty(), "eu-west-3")) {
      URI url = aws.blobUrls(Optional.empty(), S3BlobUrls.DEFAULT_EXPIRY).signedGetOfStored(digest);

      assertThat(url.getScheme()).isEqualTo("https");
      assertThat(url.getHost()).isEqualTo(layout.bucket() + ".s3.eu-west-3.amazonaws.com");
      assertThat(url.getRawPath()).isEqualTo("/" + layout.blob(digest));
      assertThat(url.getRawQuery()).contains("%2Feu-west-3%2Fs3%2Faws4_request");
    }
  }

  /**
   * The signature covers the host: a URL signed for the public name works when fetched under that
   * name ({@code localhost} here reaches the same server as the connection's {@code 127.0.0.1}).
   */
  @Test
  void publicEndpoint_urlIsSignedForThePublicName() throws Exception {
    byte[] content = "under another name".getBytes(UTF_8);
    Digest digest = put(content);
    URI publicEndpoint = URI.create("http://localhost:" + server.endpoint().getPort());

    URI url =
        connection
            .blobUrls(Optional.of(publicEndpoint), S3BlobUrls.DEFAULT_EXPIRY)
            .signedGetOfStored(digest);

    assertThat(url.getHost()).isEqualTo("localhost");
    HttpResponse<byte[]> response = get(url);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(content);
  }

  @Test
  void urlOfOneBlob_doesNotOpenAnother() throws Exception {
    Digest one = put("one".getBytes(UTF_8));
    Digest other = put("other".getBytes(UTF_8));
    URI url =
        connection.blobUrls(Optional.empty(), S3BlobUrls.DEFAULT_EXPIRY).signedGetOfStored(one);

    URI forged = URI.create(url.toString().replace(layout.blob(one), layout.blob(other)));

    assertThat(get(forged).statusCode()).isEqualTo(403);
  }

  /**
   * The SDK's presigner signs at the current time and takes no clock, so the one way to an expired
   * URL is to let a one-second URL age.
   */
  @Test
  void expiredUrl_isRefusedByTheStore() throws Exception {
    Digest digest = put("short-lived".getBytes(UTF_8));
    URI url =
        connection.blobUrls(Optional.empty(), Duration.ofSeconds(1)).signedGetOfStored(digest);

    assertThat(get(url).statusCode()).as("valid at first").isEqualTo(200);

    Thread.sleep(2_100);

    assertThat(get(url).statusCode()).isEqualTo(403);
  }

  @ParameterizedTest
  @ValueSource(strings = {"PT0S", "PT-1S", "PT0.5S", "PT1.5S", "PT1H0.001S", "PT2H"})
  void expiryOutsideOneSecondToOneHour_isRefused(String expiry) {
    assertThatThrownBy(() -> connection.blobUrls(Optional.empty(), Duration.parse(expiry)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("presigned URL expiry");
  }

  @Test
  void oneHour_isTheLongestExpiry() throws IOException {
    Digest digest = put("hour".getBytes(UTF_8));

    URI url =
        connection.blobUrls(Optional.empty(), S3BlobUrls.MAX_EXPIRY).signedGetOfStored(digest);

    assertThat(url.getRawQuery()).contains("X-Amz-Expires=3600");
  }

  private Digest put(byte[] content) {
    Digest digest = Digest.sha256(content);
    server
        .client()
        .putObject(
            PutObjectRequest.builder().bucket(layout.bucket()).key(layout.blob(digest)).build(),
            RequestBody.fromBytes(content));
    return digest;
  }

  private static HttpResponse<byte[]> get(URI url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
  }
}
