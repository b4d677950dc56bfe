package dev.stevedore.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders a kustomization directory the way {@code kubectl kustomize} does, for the features the
 * files here use: {@code resources} (files and directories), {@code patches} by {@code path}
 * (strategic merge, {@code $patch: delete}) and {@code images} ({@code newTag}). The tests must run
 * with Maven alone, so this is not kustomize; anything else in a kustomization or a patch is
 * refused rather than silently rendered differently. The strategic merge knows the merge keys of
 * the pod spec lists the patches use, as the Kubernetes API defines them.
 */
final class Kustomization {
  private static final Map<String, String> MERGE_KEYS =
      Map.of(
          "containers", "name",
          "initContainers", "name",
          "volumes", "name",
          "env", "name",
          "imagePullSecrets", "name",
          "volumeMounts", "mountPath",
          "ports", "containerPort");
  private static final List<String> KNOWN =
      List.of("apiVersion", "kind", "resources", "patches", "images");

  private Kustomization() {}

  /** The objects {@code kubectl kustomize dir} would print, in file order. */
  static List<JsonNode> render(Path dir) {
    JsonNode kustomization = file(dir);
    kustomization
        .fieldNames()
        .forEachRemaining(
            name -> {
              if (!KNOWN.contains(name)) {
                throw new AssertionError(dir + ": kustomization field " + name + " not rendered");
              }
            });
    List<JsonNode> objects = new ArrayList<>();
    for (String resource : resources(dir)) {
      Path path = dir.resolve(resource).normalize();
      if (Files.isDirectory(path)) {
        objects.addAll(render(path));
      } else {
        DeployFiles.yamlDocuments(path).forEach(doc -> objects.add(doc.deepCopy()));
      }
    }
    for (JsonNode patchEntry : kustomization.path("patches")) {
      if (!patchEntry.has("path") || patchEntry.size() != 1) {
        throw new AssertionError(dir + ": only patches by path are rendered: " + patchEntry);
      }
      for (JsonNode patch :
          DeployFiles.yamlDocuments(dir.resolve(patchEntry.path("path").asText()))) {
        apply(objects, patch, dir);
      }
    }
    for (JsonNode image : kustomization.path("images")) {
      objects.forEach(object -> setImage(object, image));
    }
    return objects;
  }

  /** The resources the kustomization in {@code dir} lists. */
  static List<String> resources(Path dir) {
    List<String> resources = new ArrayList<>();
    file(dir).path("resources").forEach(resource -> resources.add(resource.asText()));
    return resources;
  }

  /** The patch files the kustomization in {@code dir} lists. */
  static List<String> patches(Path dir) {
    List<String> patches = new ArrayList<>();
    file(dir).path("patches").forEach(patch -> patches.add(patch.path("path").asText()));
    return patches;
  }

  private static JsonNode file(Path dir) {
    return DeployFiles.yamlDocuments(dir.resolve("kustomization.yaml")).get(0);
  }

  private static void apply(List<JsonNode> objects, JsonNode patch, Path dir) {
    String kind = patch.path("kind").asText();
    String name = patch.at("/metadata/name").asText();
    int index = -1;
    for (int i = 0; i < objects.size(); i++) {
      JsonNode object = objects.get(i);
      if (kind.equals(object.path("kind").asText())
          && name.equals(object.at("/metadata/name").asText())) {
        index = i;
      }
    }
    if (index < 0) {
      throw new AssertionError(dir + ": patch of " + kind + " " + name + " matches nothing");
    }
    if (patch.has("$patch")) {
      if (!"delete".equals(patch.path("$patch").asText())) {
        throw new AssertionError(dir + ": only $patch: delete is rendered");
      }
      objects.remove(index);
      return;
    }
    merge((ObjectNode) objects.get(index), patch);
  }

  /** Strategic merge of {@code patch} into {@code target}. */
  private static void merge(ObjectNode target, JsonNode patch) {
    patch
        .fields()
        .forEachRemaining(
            field -> {
              String key = field.getKey();
              JsonNode value = field.getValue();
              if (key.startsWith("$")) {
                throw new AssertionError("patch directive " + key + " not rendered");
              }
              JsonNode existing = target.get(key);
              if (value.isNull()) {
                target.remove(key);
              } else if (value.isObject() && existing != null && existing.isObject()) {
                merge((ObjectNode) existing, value);
              } else if (value.isArray()
                  && MERGE_KEYS.containsKey(key)
                  && existing != null
                  && existing.isArray()) {
                mergeList((ArrayNode) existing, value, MERGE_KEYS.get(key));
              } else {
                target.set(key, value.deepCopy());
              }
            });
  }

  /** Elements with the same merge key are merged; new ones come first, as kustomize puts them. */
  private static void mergeList(ArrayNode target, JsonNode patch, String mergeKey) {
    List<JsonNode> added = new ArrayList<>();
    for (JsonNode element : patch) {
      JsonNode match = null;
      for (JsonNode candidate : target) {
        if (candidate.path(mergeKey).equals(element.path(mergeKey))) {
          match = candidate;
        }
      }
      if (match == null) {
        added.add(element.deepCopy());
      } else {
        merge((ObjectNode) match, element);
      }
    }
    for (int i = added.size() - 1; i >= 0; i--) {
      target.insert(0, added.get(i));
    }
  }

  private static void setImage(JsonNode object, JsonNode image) {
    String name = image.path("name").asText();
    JsonNode pod = object.at("/spec/template/spec");
    for (String list : List.of("containers", "initContainers")) {
      for (JsonNode container : pod.path(list)) {
        String current = container.path("image").asText();
        int colon = current.lastIndexOf(':');
        String base = colon < 0 ? current : current.substring(0, colon);
        if (base.equals(name) && image.has("newTag")) {
          ((ObjectNode) container).put("image", base + ":" + image.path("newTag").asText());
        }
      }
    }
  }
}
