package dev.stevedore.server.status;

import dev.stevedore.server.store.StoreHealth;
import java.util.Objects;

/**
 * What the status page shows of the shared store's health, read each time the page is: where the
 * store is and what its last check said. An interface so the page's tests need no store.
 */
public interface StoreState {
  /** Where the store is: bucket, prefix and endpoint, without secrets. */
  String where();

  /** The last check's line. */
  String line();

  /** Whether the last check got an answer. */
  boolean reachable();

  /** The state {@code health} keeps. */
  static StoreState of(StoreHealth health) {
    Objects.requireNonNull(health, "health");
    return new StoreState() {
      @Override
      public String where() {
        return health.where();
      }

      @Override
      public String line() {
        return health.line();
      }

      @Override
      public boolean reachable() {
        return health.problem().isEmpty();
      }
    };
  }
}
