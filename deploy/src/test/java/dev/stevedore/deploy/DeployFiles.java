package dev.stevedore.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the deployment files are, and how to read the YAML ones. */
final class DeployFiles {

  static final Path DEPLOY = locateDeployDir();
  static final Path REPOSITORY = DEPLOY.getParent();
  static final Path KUBERNETES = DEPLOY.resolve("kubernetes");
  static final Path CONTAINERD = DEPLOY.resolve("containerd");
  static final Path SYSTEMD = DEPLOY.resolve("systemd");
  static final Path DOCKERFILE = DEPLOY.resolve("docker/Dockerfile");

  private static final YAMLMapper YAML = new YAMLMapper();

  private DeployFiles() {}

  /** Surefire runs in the module directory; an IDE may run in the repository root. */
  private static Path locateDeployDir() {
    Path base = Path.of(System.getProperty("basedir", "")).toAbsolutePath().normalize();
    for (Path candidate : List.of(base, base.resolve("deploy"))) {
      if (Files.isDirectory(candidate.resolve("kubernetes"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("cannot find deploy/kubernetes from " + base);
  }

  /** Every document of a (possibly multi-document) YAML file, empty documents left out. */
  static List<JsonNode> yamlDocuments(Path file) {
    try (MappingIterator<JsonNode> documents =
        YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      return documents.readAll().stream()
          .filter(doc -> doc != null && !doc.isMissingNode() && !doc.isNull())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + file, e);
    }
  }

  /** The Kubernetes objects in deploy/kubernetes, the kustomization left out. */
  static List<Path> kubernetesManifests() {
    try (Stream<Path> files = Files.list(KUBERNETES)) {
      return files
          .filter(file -> file.getFileName().toString().endsWith(".yaml"))
          .filter(file -> !file.getFileName().toString().equals("kustomization.yaml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The one object of {@code kind} in {@code kubernetes/<file>}. */
  static JsonNode kubernetesObject(String file, String kind) {
    List<JsonNode> matching =
        yamlDocuments(KUBERNETES.resolve(file)).stream()
            .filter(doc -> kind.equals(doc.path("kind").asText()))
            .toList();
    if (matching.size() != 1) {
      throw new AssertionError(
          "expected one " + kind + " in " + file + ", found " + matching.size());
    }
    return matching.get(0);
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
