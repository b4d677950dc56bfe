package dev.stevedore.server.store;

import dev.stevedore.server.config.StoreSettings;
import dev.stevedore.storage.S3Connection;
import dev.stevedore.storage.S3Layout;
import dev.stevedore.storage.StoreMetrics;

/**
 * Turns the parsed {@code --store}/{@code s3-*} settings into the storage module's {@link
 * S3Connection}, which takes plain values so that storage does not know proxy-server's config
 * types.
 */
public final class StoreConnections {
  private StoreConnections() {}

  /**
   * The client of the store {@code settings} name, reporting each request to {@code metrics}; does
   * not talk to the store yet.
   */
  public static S3Connection open(StoreSettings settings, StoreMetrics metrics) {
    S3Layout layout = new S3Layout(settings.location().bucket(), settings.location().prefix());
    return S3Connection.open(layout, settings.endpoint(), settings.region(), metrics);
  }
}
