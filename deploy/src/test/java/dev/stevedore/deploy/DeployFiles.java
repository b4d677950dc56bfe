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

  /** The single-replica Deployment variant, and the base of the scale-out overlay. */
  static final Path KUBERNETES_BASE = KUBERNETES.resolve("base");

  /** The scale-out overlay: three replicas sharing an S3 bucket. */
  static final Path SCALE_OUT = KUBERNETES.resolve("scale-out");

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

  /**
   * The files of Kubernetes objects: in deploy/kubernetes (the DaemonSet variant), its base/ and
   * scale-out/; kustomizations and the overlay's patches left out.
   */
  static List<Path> kubernetesManifests() {
    List<String> patches = Kustomization.patches(SCALE_OUT);
    return Stream.of(KUBERNETES, KUBERNETES_BASE, SCALE_OUT)
        .flatMap(DeployFiles::yamlFiles)
        .filter(file -> !file.getFileName().toString().equals("kustomization.yaml"))
        .filter(
            file ->
                !file.getParent().equals(SCALE_OUT)
                    || !patches.contains(file.getFileName().toString()))
        .sorted()
        .toList();
  }

  /** The {@code .yaml} files directly in {@code dir}. */
  static Stream<Path> yamlFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(file -> file.getFileName().toString().endsWith(".yaml"))
          .toList()
          .stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The objects {@code kubectl kustomize deploy/kubernetes/scale-out} prints. */
  static List<JsonNode> scaleOutObjects() {
    return Kustomization.render(SCALE_OUT);
  }

  /**
   * The one object of {@code kind} in {@code kubernetes/base/<file>}, or {@code kubernetes/<file>}
   * for the files outside the base (the DaemonSet variant).
   */
  static JsonNode kubernetesObject(String file, String kind) {
    Path path =
        Files.exists(KUBERNETES_BASE.resolve(file))
            ? KUBERNETES_BASE.resolve(file)
            : KUBERNETES.resolve(file);
    return onlyObject(yamlDocuments(path), file, kind);
  }

  /** The one object of {@code kind} named {@code name} among {@code objects}. */
  static JsonNode object(List<JsonNode> objects, String kind, String name) {
    return onlyObject(
        objects.stream().filter(doc -> name.equals(doc.at("/metadata/name").asText())).toList(),
        name,
        kind);
  }

  private static JsonNode onlyObject(List<JsonNode> objects, String where, String kind) {
    List<JsonNode> matching =
        objects.stream().filter(doc -> kind.equals(doc.path("kind").asText())).toList();
    if (matching.size() != 1) {
      throw new AssertionError(
          "expected one " + kind + " in " + where + ", found " + matching.size());
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
