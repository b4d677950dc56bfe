package dev.stevedore.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A Deployment or DaemonSet and its {@code stevedore} container. */
record Workload(String file, JsonNode object) {

  static final String CONTAINER = "stevedore";

  static Workload deployment() {
    return new Workload(
        "deployment.yaml", DeployFiles.kubernetesObject("deployment.yaml", "Deployment"));
  }

  static Workload daemonSet() {
    return new Workload(
        "daemonset.yaml", DeployFiles.kubernetesObject("daemonset.yaml", "DaemonSet"));
  }

  /** The Deployment of the scale-out overlay, as kustomize renders it. */
  static Workload scaleOut() {
    return new Workload(
        "scale-out", DeployFiles.object(DeployFiles.scaleOutObjects(), "Deployment", "stevedore"));
  }

  static List<Workload> all() {
    return List.of(deployment(), daemonSet(), scaleOut());
  }

  /** The value of the container's environment variable {@code name}, if it has one. */
  Optional<JsonNode> env(String name) {
    for (JsonNode variable : container().path("env")) {
      if (name.equals(variable.path("name").asText())) {
        return Optional.of(variable);
      }
    }
    return Optional.empty();
  }

  JsonNode podSpec() {
    return object.at("/spec/template/spec");
  }

  Map<String, String> podLabels() {
    return strings(object.at("/spec/template/metadata/labels"));
  }

  Map<String, String> selector() {
    return strings(object.at("/spec/selector/matchLabels"));
  }

  JsonNode container() {
    for (JsonNode container : podSpec().path("containers")) {
      if (CONTAINER.equals(container.path("name").asText())) {
        return container;
      }
    }
    throw new AssertionError(file + " has no container named " + CONTAINER);
  }

  List<String> args() {
    List<String> args = new ArrayList<>();
    container().path("args").forEach(arg -> args.add(arg.asText()));
    return args;
  }

  /** The container port a probe or Service names, by name or by number. */
  int containerPort(JsonNode nameOrNumber) {
    for (JsonNode port : container().path("ports")) {
      if (nameOrNumber.isInt()
          ? port.path("containerPort").asInt() == nameOrNumber.asInt()
          : nameOrNumber.asText().equals(port.path("name").asText())) {
        return port.path("containerPort").asInt();
      }
    }
    throw new AssertionError(file + ": no container port " + nameOrNumber);
  }

  JsonNode onlyPort() {
    JsonNode ports = container().path("ports");
    if (ports.size() != 1) {
      throw new AssertionError(file + ": expected one container port, found " + ports.size());
    }
    return ports.get(0);
  }

  /** The mount at {@code mountPath}, if any. */
  Optional<JsonNode> mountAt(String mountPath) {
    for (JsonNode mount : container().path("volumeMounts")) {
      if (mountPath.equals(mount.path("mountPath").asText())) {
        return Optional.of(mount);
      }
    }
    return Optional.empty();
  }

  JsonNode volume(String name) {
    for (JsonNode volume : podSpec().path("volumes")) {
      if (name.equals(volume.path("name").asText())) {
        return volume;
      }
    }
    throw new AssertionError(file + ": no volume named " + name);
  }

  static Map<String, String> strings(JsonNode object) {
    Map<String, String> values = new LinkedHashMap<>();
    object
        .fields()
        .forEachRemaining(entry -> values.put(entry.getKey(), entry.getValue().asText()));
    return values;
  }

  @Override
  public String toString() {
    return file;
  }
}
