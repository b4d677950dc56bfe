package dev.stevedore.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up check against S3Proxy, with credentials from the AWS chain as in production: the
 * test sets the chain's system properties and restores them afterwards.
 */
class StoreCheckTest {
  private static final String ACCESS_KEY = "aws.accessKeyId";
  private static final String SECRET_KEY = "aws.secretAccessKey";

  /** The chain's other sources on this machine, turned off or pointed at nothing for one test. */
  private static final List<String> OTHER_SOURCES =
      List.of("aws.sharedCredentialsFile", "aws.configFile", "aws.disableEc2Metadata");

  private S3TestServer server;
  private String savedAccessKey;
  private String savedSecretKey;
  private final Map<String, String> savedOtherSources = new HashMap<>();

  @BeforeEach
  void saveCredentials() throws IOException {
    server = S3TestServer.shared();
    savedAccessKey = System.getProperty(ACCESS_KEY);
    savedSecretKey = System.getProperty(SECRET_KEY);
    OTHER_SOURCES.forEach(name -> savedOtherSources.put(name, System.getProperty(name)));
  }

  @AfterEach
  void restoreCredentials() {
    restore(ACCESS_KEY, savedAccessKey);
    restore(SECRET_KEY, savedSecretKey);
    savedOtherSources.forEach(StoreCheckTest::restore);
  }

  @Test
  void check_bucketExists_isReachable() {
    useCredentials(server.identity(), server.credential());
    String bucket = server.newBucket();

    StoreCheck.Result result = check(bucket, server.endpoint());

    assertThat(result.verdict()).isEqualTo(StoreCheck.Verdict.REACHABLE);
    assertThat(result.line()).contains(bucket);
  }

  @Test
  void check_wrongSecret_isRefusedWithoutTheSecret() {
    String secret = "wrong-secret-0123456789";
    useCredentials(server.identity(), secret);
    String bucket = server.newBucket();

    StoreCheck.Result result = check(bucket, server.endpoint());

    assertThat(result.verdict()).isEqualTo(StoreCheck.Verdict.REFUSED);
    assertThat(result.line())
        .isEqualTo("the store refused the credentials for bucket " + bucket)
        .doesNotContain(secret);
  }

  @Test
  void check_unknownAccessKey_isRefusedWithoutTheKeys() {
    useCredentials("unknown-access-key", "some-secret-9876543210");
    String bucket = server.newBucket();

    StoreCheck.Result result = check(bucket, server.endpoint());

    assertThat(result.verdict()).isEqualTo(StoreCheck.Verdict.REFUSED);
    assertThat(result.line())
        .isEqualTo("the store refused the credentials for bucket " + bucket)
        .doesNotContain("some-secret-9876543210")
        .doesNotContain("unknown-access-key");
  }

  @Test
  void check_missingBucket_isRefusedNamingBucketAndEndpoint() {
    useCredentials(server.identity(), server.credential());

    StoreCheck.Result result = check("no-such-bucket", server.endpoint());

    assertThat(result.verdict()).isEqualTo(StoreCheck.Verdict.REFUSED);
    assertThat(result.line())
        .isEqualTo("bucket no-such-bucket does not exist at " + server.endpoint());
  }

  @Test
  void check_noCredentialsInTheChain_isRefused(@TempDir Path empty) {
    System.clearProperty(ACCESS_KEY);
    System.clearProperty(SECRET_KEY);
    System.setProperty("aws.sharedCredentialsFile", empty.resolve("credentials").toString());
    System.setProperty("aws.configFile", empty.resolve("config").toString());
    System.setProperty("aws.disableEc2Metadata", "true");

    StoreCheck.Result result = check("any-bucket", server.endpoint());

    assertThat(result.verdict()).isEqualTo(StoreCheck.Verdict.REFUSED);
    assertThat(result.line()).startsWith("no credentials for bucket any-bucket in the AWS chain");
  }

  @Test
  void check_closedPort_isUnreachableWithTheReason() throws IOException {
    useCredentials(server.identity(), server.credential());
    URI closed = closedPort();

    StoreCheck.Result result = check("any-bucket", closed);

    assertThat(result.verdict()).isEqualTo(StoreCheck.Verdict.UNREACHABLE);
    assertThat(result.line())
        .startsWith("the store at " + closed + " is unreachable for bucket any-bucket: ")
        .contains("Connection refused")
        .doesNotContain(server.credential())
        .doesNotContain("\n");
  }

  @Test
  void where_endpointWithUserInfo_showsNoSecret() {
    try (S3Connection connection =
        S3Connection.open(
            new S3Layout("b", ""),
            Optional.of(URI.create("http://user:pa55word@127.0.0.1:9000/?token=x")),
            "us-east-1")) {
      assertThat(connection.where()).isEqualTo("http://127.0.0.1:9000/");
    }
  }

  @Test
  void where_noEndpoint_namesAwsAndRegion() {
    try (S3Connection connection =
        S3Connection.open(new S3Layout("b", "p"), Optional.empty(), "eu-west-1")) {
      assertThat(connection.where()).isEqualTo("AWS S3 (eu-west-1)");
    }
  }

  private static StoreCheck.Result check(String bucket, URI endpoint) {
    try (S3Connection connection =
        S3Connection.open(new S3Layout(bucket, "p"), Optional.of(endpoint), "us-east-1")) {
      return StoreCheck.check(connection);
    }
  }

  /** A port on 127.0.0.1 that nothing listens on: bound once, then closed. */
  private static URI closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
  }

  private static void useCredentials(String accessKey, String secretKey) {
    System.setProperty(ACCESS_KEY, accessKey);
    System.setProperty(SECRET_KEY, secretKey);
  }

  private static void restore(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }
}
