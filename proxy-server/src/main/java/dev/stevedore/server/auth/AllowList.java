package dev.stevedore.server.auth;

import dev.stevedore.core.model.RepositoryName;
import java.util.List;
import java.util.Objects;

/**
 * What may be pulled through: the repositories matching any of the {@link RepositoryPattern}s, or
 * everything when there are none.
 */
public record AllowList(List<RepositoryPattern> patterns) {

  /** No patterns: everything is allowed. */
  public static final AllowList EVERYTHING = new AllowList(List.of());

  public AllowList {
    patterns = List.copyOf(Objects.requireNonNull(patterns, "patterns"));
  }

  /** Parses each {@code --allow} glob; throws a config error naming the first invalid one. */
  public static AllowList parse(List<String> globs) {
    return new AllowList(globs.stream().map(RepositoryPattern::parse).toList());
  }

  public boolean allowsEverything() {
    return patterns.isEmpty();
  }

  public boolean allows(String registry, RepositoryName repository) {
    return allowsEverything()
        || patterns.stream().anyMatch(pattern -> pattern.matches(registry, repository));
  }
}
