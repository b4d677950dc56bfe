package dev.stevedore.server.auth;

import dev.stevedore.core.model.RepositoryName;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Who may pull what through this Stevedore: client authentication on every {@code /v2/} request,
 * then the allow-list of {@code registry/repository} patterns. Checked before anything touches the
 * disk or an upstream. The {@link dev.stevedore.server.StevedoreProxy} that runs it closes it.
 */
public interface AccessControl extends AutoCloseable {

  /**
   * Completes when the client may go on; fails with a {@link
   * dev.stevedore.core.error.RegistryException} to send instead (401 with a challenge, or 429 while
   * a client that guessed wrong is backing off). Must not block the calling event loop.
   */
  CompletableFuture<Void> authenticate(String clientAddress, Optional<String> authorization);

  /** Whether {@code registry/repository} may be pulled through. */
  boolean allows(String registry, RepositoryName repository);

  /** Releases what the checks run on (threads); by default there is nothing to release. */
  @Override
  default void close() {}

  /** No authentication and everything allowed: the default. */
  AccessControl OPEN =
      new AccessControl() {
        @Override
        public CompletableFuture<Void> authenticate(
            String clientAddress, Optional<String> authorization) {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public boolean allows(String registry, RepositoryName repository) {
          return true;
        }
      };
}
