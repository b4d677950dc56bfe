package dev.stevedore.core.model;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.storage.text.Printable;
import java.util.Objects;

/**
 * A repository name as the distribution spec's grammar allows ({@code library/alpine}, {@code
 * org/team/app}). Validated on construction, so it is safe in paths and URLs.
 */
public record RepositoryName(String value) {

  private static final int MAX_LENGTH = 255;
  private static final String DOCKER_HUB = "docker.io";

  public RepositoryName {
    Objects.requireNonNull(value, "value");
    if (value.length() > MAX_LENGTH || !isGrammatical(value)) {
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

  /**
   * The spec's grammar, {@code
   * [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*}, checked by hand: this
   * runs on every request, and a regex costs several times more.
   */
  static boolean isGrammatical(String value) {
    int length = value.length();
    int i = 0;
    while (true) {
      i = alphanumerics(value, i);
      if (i < 0) {
        return false;
      }
      while (i < length && value.charAt(i) != '/') {
        char separator = value.charAt(i++);
        if (separator == '_') {
          if (i < length && value.charAt(i) == '_') {
            i++;
          }
        } else if (separator == '-') {
          while (i < length && value.charAt(i) == '-') {
            i++;
          }
        } else if (separator != '.') {
          return false;
        }
        i = alphanumerics(value, i);
        if (i < 0) {
          return false;
        }
      }
      if (i == length) {
        return true;
      }
      i++; // past the slash: another component must follow
    }
  }

  /** The index after a run of {@code [a-z0-9]+} starting at {@code from}, or -1 for none. */
  private static int alphanumerics(String value, int from) {
    int i = from;
    while (i < value.length() && isLowerAlphanumeric(value.charAt(i))) {
      i++;
    }
    return i > from ? i : -1;
  }

  private static boolean isLowerAlphanumeric(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  /** Docker Hub keeps official images under {@code library/}; other registries take names as is. */
  public RepositoryName normalizedFor(String registry) {
    if (DOCKER_HUB.equals(registry) && value.indexOf('/') < 0) {
      return new RepositoryName("library/" + value);
    }
    return this;
  }

  static String printable(String text) {
    return Printable.masked(text, 300);
  }

  @Override
  public String toString() {
    return value;
  }
}
