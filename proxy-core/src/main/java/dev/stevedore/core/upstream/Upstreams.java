package dev.stevedore.core.upstream;

import dev.stevedore.core.error.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The configured upstream registries by name. containerd names the registry it wants in the {@code
 * ns} query parameter; without one, the default upstream answers.
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

  /** Every configured upstream. */
  public java.util.Collection<Upstream> all() {
    return byName.values();
  }

  public Upstream defaultUpstream() {
    return defaultUpstream;
  }
}
