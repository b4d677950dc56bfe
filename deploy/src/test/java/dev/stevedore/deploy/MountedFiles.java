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
      Path dir = under(root, mount.path("mountPath").asText());
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
              workload
                  + ": volume "
                  + volume.path("name").asText()
                  + " wants key "
                  + file.getKey()
                  + ", which its source does not have");
        }
        Path target = dir.resolve(file.getValue());
        Files.createDirectories(target.getParent());
        Files.write(target, content);
      }
    }
  }

  /** An absolute path inside the pod, as a path under {@code root}. */
  static Path under(Path root, String podPath) {
    if (!podPath.startsWith("/")) {
      throw new AssertionError("not an absolute path: " + podPath);
    }
    return root.resolve(podPath.substring(1));
  }

  static Map<String, byte[]> configMapData(String name) {
    JsonNode configMap = DeployFiles.kubernetesObject("configmap.yaml", "ConfigMap");
    if (!name.equals(configMap.at("/metadata/name").asText())) {
      throw new AssertionError("no ConfigMap named " + name + " in configmap.yaml");
    }
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
    JsonNode secret = DeployFiles.kubernetesObject("secret.yaml", "Secret");
    if (!name.equals(secret.at("/metadata/name").asText())) {
      throw new AssertionError("no Secret named " + name + " in secret.yaml");
    }
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
}
