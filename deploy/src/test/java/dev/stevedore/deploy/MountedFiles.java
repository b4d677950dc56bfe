package dev.stevedore.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes what kubelet would put in a pod's ConfigMap and Secret mounts under a temporary root, so
 * the container's command line can be resolved against real files.
 */
final class MountedFiles {

  private MountedFiles() {}

  /**
   * Materialises every ConfigMap and Secret mount of the workload's container under {@code root}.
   */
  static void write(Workload workload, Path root) throws IOException {
    for (JsonNode mount : workload.container().path("volumeMounts")) {
      JsonNode volume = workload.volume(mount.path("name").asText());
      if (volume.has("projected")) {
        Path dir = under(root, mount.path("mountPath").asText());
        for (JsonNode source : volume.at("/projected/sources")) {
          if (source.has("configMap")) {
            writeItems(
                workload,
                source.get("configMap"),
                configMapData(source.at("/configMap/name").asText()),
                dir);
          } else if (source.has("secret")) {
            writeItems(
                workload,
                source.get("secret"),
                secretData(source.at("/secret/name").asText()),
                dir);
          } else {
            throw new AssertionError(workload + ": projected source not materialised: " + source);
          }
        }
        continue;
      }
      Map<String, byte[]> data;
      if (volume.has("configMap")) {
        data = configMapData(volume.at("/configMap/name").asText());
      } else if (volume.has("secret")) {
        data = secretData(volume.at("/secret/secretName").asText());
      } else {
        Files.createDirectories(under(root, mount.path("mountPath").asText()));
        continue;
      }
      JsonNode source = volume.has("configMap") ? volume.get("configMap") : volume.get("secret");
      writeItems(workload, source, data, under(root, mount.path("mountPath").asText()));
    }
  }

  /** The keys of {@code data} a volume source selects (all without {@code items}), as files. */
  private static void writeItems(
      Workload workload, JsonNode source, Map<String, byte[]> data, Path dir) throws IOException {
    Files.createDirectories(dir);
    Map<String, String> files = new LinkedHashMap<>();
    if (source.has("items")) {
      source
          .get("items")
          .forEach(item -> files.put(item.path("key").asText(), item.path("path").asText()));
    } else {
      data.keySet().forEach(key -> files.put(key, key));
    }
    for (Map.Entry<String, String> file : files.entrySet()) {
      byte[] content = data.get(file.getKey());
      if (content == null) {
        throw new AssertionError(
            workload + ": a volume wants key " + file.getKey() + ", which its source lacks");
      }
      Path target = dir.resolve(file.getValue());
      Files.createDirectories(target.getParent());
      Files.write(target, content);
    }
  }

  /** An absolute path inside the pod, as a path under {@code root}. */
  static Path under(Path root, String podPath) {
    if (!podPath.startsWith("/")) {
      throw new AssertionError("not an absolute path: " + podPath);
    }
    return root.resolve(podPath.substring(1));
  }

  /**
   * A ConfigMap's keys: of the base's configmap.yaml, or of the objects the scale-out overlay
   * renders.
   */
  static Map<String, byte[]> configMapData(String name) {
    JsonNode configMap = find("ConfigMap", name, "configmap.yaml");
    Map<String, byte[]> data = new LinkedHashMap<>();
    configMap
        .path("data")
        .fields()
        .forEachRemaining(
            entry ->
                data.put(
                    entry.getKey(), entry.getValue().asText().getBytes(StandardCharsets.UTF_8)));
    return data;
  }

  /**
   * A Secret's keys, from {@code data} (base64) and {@code stringData} (which wins, as in the API
   * server).
   */
  static Map<String, byte[]> secretData(String name) {
    JsonNode secret = find("Secret", name, "secret.yaml");
    Map<String, byte[]> data = new LinkedHashMap<>();
    secret
        .path("data")
        .fields()
        .forEachRemaining(
            entry ->
                data.put(entry.getKey(), Base64.getDecoder().decode(entry.getValue().asText())));
    secret
        .path("stringData")
        .fields()
        .forEachRemaining(
            entry ->
                data.put(
                    entry.getKey(), entry.getValue().asText().getBytes(StandardCharsets.UTF_8)));
    return data;
  }

  private static JsonNode find(String kind, String name, String baseFile) {
    JsonNode base = DeployFiles.kubernetesObject(baseFile, kind);
    if (name.equals(base.at("/metadata/name").asText())) {
      return base;
    }
    return DeployFiles.object(DeployFiles.scaleOutObjects(), kind, name);
  }
}
