package dev.stevedore.core.model;

import dev.stevedore.core.error.ErrorCode;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A repository name as the distribution spec's grammar allows ({@code library/alpine}, {@code
 * org/team/app}). Validated on construction, so it is safe in paths and URLs.
 */
public record RepositoryName(String value) {

  private static final String COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
  private static final Pattern GRAMMAR = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
  private static final int MAX_LENGTH = 255;
  private static final String DOCKER_HUB = "docker.io";

  public RepositoryName {
    Objects.requireNonNull(value, "value");
    if (value.length() > MAX_LENGTH || !GRAMMAR.matcher(value).matches()) {
      throw ErrorCode.NAME_INVALID.exception("invalid repository name: " + printable(value));
    }
  }

  /**
   * Parses a name; throws a {@code NAME_INVALID} {@link
   * dev.stevedore.core.error.RegistryException}.
   */
  public static RepositoryName parse(String value) {
    return new RepositoryName(value);
  }

  /** Docker Hub keeps official images under {@code library/}; other registries take names as is. */
  public RepositoryName normalizedFor(String registry) {
    if (DOCKER_HUB.equals(registry) && value.indexOf('/') < 0) {
      return new RepositoryName("library/" + value);
    }
    return this;
  }

  static String printable(String text) {
    String cut = text.length() > 300 ? text.substring(0, 300) + "…" : text;
    return cut.replaceAll("[\\p{Cntrl}]", "?");
  }

  @Override
  public String toString() {
    return value;
  }
}
