package dev.stevedore.core.upstream;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One authentication challenge from a {@code WWW-Authenticate} header: the scheme, lowercased
 * ({@code bearer}, {@code basic}), and its parameters with lowercased names.
 */
public record Challenge(String scheme, Map<String, String> params) {

  public Challenge {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(params, "params");
    scheme = scheme.toLowerCase(Locale.ROOT);
    params = Map.copyOf(params);
  }

  /** A parameter by (case-insensitive) name. */
  public Optional<String> param(String name) {
    Objects.requireNonNull(name, "name");
    return Optional.ofNullable(params.get(name.toLowerCase(Locale.ROOT)));
  }

  public boolean isBearer() {
    return scheme.equals("bearer");
  }

  public boolean isBasic() {
    return scheme.equals("basic");
  }
}
