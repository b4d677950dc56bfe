package dev.stevedore.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.storage.S3Connection;
import dev.stevedore.storage.S3Layout;
import dev.stevedore.storage.S3TestServer;
import dev.stevedore.storage.StoreCheck;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Readiness follows the store: against an S3 server on loopback that stops and starts again. */
class StoreHealthTest {
  private final Map<String, String> saved = new java.util.HashMap<>();

  private void credentials(S3TestServer s3) {
    Map.of(
            "aws.accessKeyId", s3.identity(),
            "aws.secretAccessKey", s3.credential(),
            "aws.disableEc2Metadata", "true")
        .forEach((name, value) -> saved.put(name, System.setProperty(name, value)));
  }

  @AfterEach
  void restoreProperties() {
    saved.forEach(
        (name, value) -> {
          if (value == null) {
            System.clearProperty(name);
          } else {
            System.setProperty(name, value);
          }
        });
  }

  @Test
  void storeThatStops_makesTheServerNotReady_withTheReason() throws IOException {
    S3TestServer s3 = S3TestServer.startOwn();
    credentials(s3);
    try (S3Connection connection =
        S3Connection.open(
            new S3Layout(s3.newBucket(), "cache"), Optional.of(s3.endpoint()), "us-east-1")) {
      StoreHealth health = new StoreHealth(connection, StoreCheck.check(connection));
      assertThat(health.problem()).isEmpty();
      assertThat(health.where()).startsWith("s3://").contains("/cache at http://127.0.0.1:");

      s3.stop();
      health.refresh();

      assertThat(health.problem())
          .hasValueSatisfying(why -> assertThat(why).startsWith("store: ").contains("unreachable"));
    } finally {
      s3.stop();
    }
  }
}
