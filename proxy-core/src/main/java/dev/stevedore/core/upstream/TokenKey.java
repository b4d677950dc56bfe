package dev.stevedore.core.upstream;

import java.util.Objects;

/**
 * What a bearer token is issued for: the realm (token endpoint URL), the service and the scope (for
 * example {@code repository:library/alpine:pull}). The service is empty when the challenge named
 * none.
 */
public record TokenKey(String realm, String service, String scope) {

  public TokenKey {
    Objects.requireNonNull(realm, "realm");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(scope, "scope");
  }

  /** The key for pulling from one repository. */
  public static TokenKey pull(String realm, String service, String repository) {
    Objects.requireNonNull(repository, "repository");
    return new TokenKey(realm, service, "repository:" + repository + ":pull");
  }
}
