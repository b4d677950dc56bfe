package dev.stevedore.server.store;

import dev.stevedore.server.config.StoreSettings;
import dev.stevedore.storage.S3Connection;
import dev.stevedore.storage.S3Layout;

/**
 * Turns the parsed {@code --store}/{@code s3-*} settings into the storage module's {@link
 * S3Connection}, which takes plain values so that storage does not know proxy-server's config
 * types.
 */
public final class StoreConnections {
  private StoreConnections() {}

  /** The client of the store {@code settings} name; does not talk to the store yet. */
  public static S3Connection open(StoreSettings settings) {
    S3Layout layout = new S3Layout(settings.location().bucket(), settings.location().prefix());
    return S3Connection.open(layout, settings.endpoint(), settings.region());
  }
}
