package dev.stevedore.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.config.S3Location;
import dev.stevedore.server.config.StoreSettings;
import dev.stevedore.storage.S3Connection;
import dev.stevedore.storage.StoreMetrics;
import java.net.URI;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Settings as {@code serve} parses them become the storage module's client unchanged. Opening does
 * not talk to the store, so no server is needed; storage's {@code StoreCheckTest} checks the client
 * against S3Proxy.
 */
class StoreConnectionsTest {

  @Test
  void open_keepsBucketAndPrefix() {
    try (S3Connection connection =
        StoreConnections.open(
            settings(Optional.of(URI.create("http://127.0.0.1:9000"))), StoreMetrics.NONE)) {
      assertThat(connection.layout().bucket()).isEqualTo("team-cache");
      assertThat(connection.layout().prefix()).isEqualTo("stevedore/prod");
    }
  }

  @Test
  void open_withEndpoint_namesTheEndpoint() {
    try (S3Connection connection =
        StoreConnections.open(
            settings(Optional.of(URI.create("http://127.0.0.1:9000"))), StoreMetrics.NONE)) {
      assertThat(connection.where()).isEqualTo("http://127.0.0.1:9000");
    }
  }

  @Test
  void open_withoutEndpoint_namesAwsAndTheRegion() {
    try (S3Connection connection =
        StoreConnections.open(settings(Optional.empty()), StoreMetrics.NONE)) {
      assertThat(connection.where()).isEqualTo("AWS S3 (eu-central-1)");
    }
  }

  private static StoreSettings settings(Optional<URI> endpoint) {
    return new StoreSettings(
        S3Location.parse("s3://team-cache/stevedore/prod/"),
        endpoint,
        endpoint.isPresent() ? StoreSettings.DEFAULT_REGION : "eu-central-1",
        Optional.empty(),
        false,
        OptionalLong.empty());
  }
}
