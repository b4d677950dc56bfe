package dev.stevedore.core.model;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * An image as people name it: {@code alpine}, {@code alpine:3.19}, {@code library/alpine}, {@code
 * docker.io/library/alpine:3.19}, {@code ghcr.io/org/app@sha256:…}. The registry defaults to {@code
 * docker.io} (where one-component names get {@code library/}), the reference to {@code latest}.
 */
public record ImageReference(String registry, RepositoryName repository, Reference reference) {
  public static final String DOCKER_HUB = "docker.io";
  private static final Set<String> DOCKER_HUB_ALIASES =
      Set.of("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com");

  private static final java.util.regex.Pattern REGISTRY =
      java.util.regex.Pattern.compile("[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?");

  public ImageReference {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(reference, "reference");
  }

  /** Parses an image name; a bad one throws a {@link RegistryException} naming the problem. */
  public static ImageReference parse(String text) {
    Objects.requireNonNull(text, "text");
    String rest = text.trim();
    if (rest.isEmpty()) {
      throw ErrorCode.NAME_INVALID.exception("empty image name");
    }
    String registry = DOCKER_HUB;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        registry = first.toLowerCase(Locale.ROOT);
        rest = rest.substring(slash + 1);
      }
    }
    if (!REGISTRY.matcher(registry).matches()) {
      throw ErrorCode.NAME_INVALID.exception("invalid registry name in image " + text);
    }
    if (DOCKER_HUB_ALIASES.contains(registry)) {
      registry = DOCKER_HUB;
    }
    String reference = "latest";
    int at = rest.indexOf('@');
    if (at >= 0) {
      reference = rest.substring(at + 1);
      rest = rest.substring(0, at);
      int tagColon = rest.lastIndexOf(':');
      if (tagColon > rest.lastIndexOf('/')) {
        rest = rest.substring(0, tagColon);
      }
    } else {
      int colon = rest.lastIndexOf(':');
      if (colon > rest.lastIndexOf('/')) {
        reference = rest.substring(colon + 1);
        rest = rest.substring(0, colon);
      }
    }
    RepositoryName repository = RepositoryName.parse(rest).normalizedFor(registry);
    return new ImageReference(registry, repository, Reference.parse(reference));
  }

  /** The full name: {@code docker.io/library/alpine:3.19} or {@code …@sha256:…}. */
  @Override
  public String toString() {
    return registry + "/" + repository + (reference.isDigest() ? "@" : ":") + reference;
  }
}
