package dev.stevedore.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.storage.AwsChainProperties;
import dev.stevedore.storage.S3Connection;
import dev.stevedore.storage.S3Layout;
import dev.stevedore.storage.S3TestServer;
import dev.stevedore.storage.StoreCheck;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Readiness follows the store: against an S3 server on loopback that stops and starts again. */
class StoreHealthTest {
  @Test
  void storeThatStops_makesTheServerNotReady_withTheReason() throws IOException {
    S3TestServer s3 = S3TestServer.startOwn();
    try (AwsChainProperties aws = AwsChainProperties.of(s3);
        S3Connection connection =
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
