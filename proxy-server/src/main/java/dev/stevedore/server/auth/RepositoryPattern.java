package dev.stevedore.server.auth;

import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.server.config.ConfigException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A glob over {@code registry/repository}, as given to {@code --allow}:
 *
 * <ul>
 *   <li>{@code *} matches within one path component: any characters but {@code /} (so {@code
 *       docker.io/library/*} is every official image, not {@code docker.io/library/a/b});
 *   <li>{@code **} matches anything, {@code /} included (so {@code ghcr.io/myorg/**} is everything
 *       under {@code ghcr.io/myorg/}, at any depth, and {@code **} alone is everything);
 *   <li>every other character matches itself; matching ignores case (registry host names do).
 * </ul>
 *
 * <p>Repositories are matched after Docker Hub's {@code library/} normalisation ({@code alpine} is
 * {@code docker.io/library/alpine}), and a Docker Hub pattern with a single repository component is
 * normalised the same way: {@code docker.io/alpine} means {@code docker.io/library/alpine} and
 * {@code docker.io/*} means every official image.
 */
public record RepositoryPattern(String glob, Pattern regex) {

  private static final String DOCKER_HUB = "docker.io";
  private static final Pattern ALLOWED_CHARACTERS = Pattern.compile("[a-z0-9._:/*-]+");

  public RepositoryPattern {
    Objects.requireNonNull(glob, "glob");
    Objects.requireNonNull(regex, "regex");
  }

  /** Parses a {@code --allow} glob; throws a {@link ConfigException} naming it when invalid. */
  public static RepositoryPattern parse(String text) {
    String glob = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    if (!ALLOWED_CHARACTERS.matcher(glob).matches()) {
      throw invalid(text, "use a registry/repository glob such as docker.io/library/*");
    }
    if (glob.contains("***")) {
      throw invalid(text, "use * for one path component or ** for any depth");
    }
    if (glob.indexOf('/') < 0 && !glob.contains("**")) {
      throw invalid(
          text, "it names no repository; write " + glob + "/** to allow everything from " + glob);
    }
    if (glob.startsWith("/") || glob.endsWith("/") || glob.contains("//")) {
      throw invalid(text, "empty path component");
    }
    String normalised = normalisedForDockerHub(glob);
    return new RepositoryPattern(normalised, Pattern.compile(toRegex(normalised)));
  }

  /** Whether {@code registry/repository} matches. */
  public boolean matches(String registry, RepositoryName repository) {
    return regex
        .matcher(registry.toLowerCase(Locale.ROOT) + "/" + repository.normalizedFor(registry))
        .matches();
  }

  private static String normalisedForDockerHub(String glob) {
    String prefix = DOCKER_HUB + "/";
    if (!glob.startsWith(prefix)) {
      return glob;
    }
    String repository = glob.substring(prefix.length());
    boolean oneComponent = repository.indexOf('/') < 0 && !repository.contains("**");
    return oneComponent ? prefix + "library/" + repository : glob;
  }

  private static String toRegex(String glob) {
    StringBuilder regex = new StringBuilder();
    int literalStart = 0;
    int index = 0;
    while (index < glob.length()) {
      if (glob.charAt(index) != '*') {
        index++;
        continue;
      }
      if (index > literalStart) {
        regex.append(Pattern.quote(glob.substring(literalStart, index)));
      }
      boolean doubleStar = index + 1 < glob.length() && glob.charAt(index + 1) == '*';
      regex.append(doubleStar ? ".*" : "[^/]*");
      index += doubleStar ? 2 : 1;
      literalStart = index;
    }
    if (literalStart < glob.length()) {
      regex.append(Pattern.quote(glob.substring(literalStart)));
    }
    return regex.toString();
  }

  private static ConfigException invalid(String text, String why) {
    return new ConfigException("invalid --allow pattern '" + text + "': " + why);
  }

  @Override
  public String toString() {
    return glob;
  }
}
