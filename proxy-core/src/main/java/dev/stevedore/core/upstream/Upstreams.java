package dev.stevedore.core.upstream;

import dev.stevedore.core.error.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The configured upstream registries by name. containerd names the registry it wants in the {@code
 * ns} query parameter; Podman's mirrors name it as the repository's first component ({@code
 * /v2/ghcr.io/owner/app/...}); with neither, the default upstream answers.
 */
public final class Upstreams {
  private static final Set<String> DOCKER_HUB_ALIASES =
      Set.of("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com");

  private final Map<String, Upstream> byName;
  private final Upstream defaultUpstream;

  public Upstreams(Map<String, ? extends Upstream> byName, String defaultName) {
    this.byName = Map.copyOf(new LinkedHashMap<>(byName));
    this.defaultUpstream = this.byName.get(Objects.requireNonNull(defaultName, "defaultName"));
    if (defaultUpstream == null) {
      throw new IllegalArgumentException("default upstream " + defaultName + " is not configured");
    }
  }

  /** The upstream for a request's {@code ns} parameter, or the default when there is none. */
  public Upstream select(Optional<String> namespace) {
    if (namespace.isEmpty() || namespace.get().isEmpty()) {
      return defaultUpstream;
    }
    String ns = namespace.get().toLowerCase(java.util.Locale.ROOT);
    Upstream upstream = byName.get(DOCKER_HUB_ALIASES.contains(ns) ? "docker.io" : ns);
    if (upstream == null) {
      throw ErrorCode.NAME_UNKNOWN.exception(
          "no upstream registry named '" + ns + "' is configured");
    }
    return upstream;
  }

  /**
   * The configured upstream a repository path names in its first component, for clients that cannot
   * send {@code ns}: {@code ghcr.io} in {@code ghcr.io/owner/app}. Only a component that looks like
   * a registry host (with a dot or a colon, as Docker tells a registry from a namespace) names one,
   * and Docker Hub namespaces never do; a name of one component names none.
   *
   * @return the upstream's name, as {@link #select} takes it
   */
  public Optional<String> namedInPath(String repository) {
    int slash = repository.indexOf('/');
    if (slash <= 0 || slash == repository.length() - 1) {
      return Optional.empty();
    }
    String first = repository.substring(0, slash).toLowerCase(java.util.Locale.ROOT);
    if (!nameablePath(first)) {
      return Optional.empty();
    }
    String name = DOCKER_HUB_ALIASES.contains(first) ? "docker.io" : first;
    return byName.containsKey(name) ? Optional.of(first) : Optional.empty();
  }

  /**
   * Whether a repository path can name the registry {@code name} in its first component: it has a
   * dot or a colon, as Docker tells a registry from a namespace, so no Docker Hub namespace can be
   * taken for it.
   */
  public static boolean nameablePath(String name) {
    return name.indexOf('.') >= 0 || name.indexOf(':') >= 0;
  }

  /** Every configured upstream. */
  public java.util.Collection<Upstream> all() {
    return byName.values();
  }

  public Upstream defaultUpstream() {
    return defaultUpstream;
  }
}
