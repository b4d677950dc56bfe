package dev.stevedore.server.setup;

import java.util.Arrays;
import java.util.Optional;

/** The kinds of node a setup script points at Stevedore: {@code GET /setup/<kind>}. */
public enum NodeKind {
  CONTAINERD("containerd", "containerd"),
  MICROK8S("microk8s", "MicroK8s"),
  K3S("k3s", "k3s"),
  DOCKER("docker", "Docker"),
  PODMAN("podman", "Podman");

  private final String path;
  private final String title;

  NodeKind(String path, String title) {
    this.path = path;
    this.title = title;
  }

  /** The last segment of {@code /setup/<kind>}. */
  public String path() {
    return path;
  }

  /** The name people know it by. */
  public String title() {
    return title;
  }

  /** The kind whose path is {@code path}. */
  public static Optional<NodeKind> byPath(String path) {
    return Arrays.stream(values()).filter(kind -> kind.path.equals(path)).findFirst();
  }
}
