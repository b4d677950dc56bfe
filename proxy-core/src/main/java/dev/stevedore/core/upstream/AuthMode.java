package dev.stevedore.core.upstream;

import java.util.Objects;

/** How an upstream wants to be authenticated, as its {@code /v2/} ping said. */
sealed interface AuthMode {

  /** {@code /v2/} answered 2xx: no authentication. */
  record Anonymous() implements AuthMode {}

  /** A {@code Basic} challenge: credentials on every request. */
  record Basic() implements AuthMode {}

  /** A {@code Bearer} challenge: tokens from {@code realm} for {@code service} (may be empty). */
  record Bearer(String realm, String service) implements AuthMode {
    public Bearer {
      Objects.requireNonNull(realm, "realm");
      Objects.requireNonNull(service, "service");
    }
  }
}
