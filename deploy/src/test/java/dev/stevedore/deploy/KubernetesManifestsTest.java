package dev.stevedore.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stevedore.core.upstream.Credentials;
import dev.stevedore.core.upstream.DockerConfigCredentials;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The manifests in deploy/kubernetes are well-formed and refer to each other correctly. */
class KubernetesManifestsTest {

  private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace");
  private static final ObjectMapper JSON = new ObjectMapper();

  static List<Path> manifests() {
    return DeployFiles.kubernetesManifests();
  }

  static List<Workload> workloads() {
    return Workload.all();
  }

  @ParameterizedTest
  @MethodSource("manifests")
  void manifest_parsesWithApiVersionKindAndName(Path file) {
    List<JsonNode> objects = DeployFiles.yamlDocuments(file);

    assertThat(objects).as(file.toString()).isNotEmpty();
    for (JsonNode object : objects) {
      assertThat(object.path("apiVersion").asText()).as(file + " apiVersion").isNotBlank();
      assertThat(object.path("kind").asText()).as(file + " kind").isNotBlank();
      assertThat(object.at("/metadata/name").asText()).as(file + " metadata.name").isNotBlank();
    }
  }

  @ParameterizedTest
  @MethodSource("manifests")
  void manifest_namespacedObjectsLiveInTheNamespaceOfNamespaceYaml(Path file) {
    String namespace =
        DeployFiles.kubernetesObject("namespace.yaml", "Namespace").at("/metadata/name").asText();

    for (JsonNode object : DeployFiles.yamlDocuments(file)) {
      if (!CLUSTER_SCOPED.contains(object.path("kind").asText())) {
        assertThat(object.at("/metadata/namespace").asText())
            .as(file + ": " + object.path("kind").asText() + " namespace")
            .isEqualTo(namespace);
      }
    }
  }

  @Test
  void kustomization_appliesTheBase_whichListsEveryManifestInIt() {
    Set<String> expected =
        manifests().stream()
            .filter(file -> file.getParent().equals(DeployFiles.KUBERNETES_BASE))
            .map(file -> file.getFileName().toString())
            .collect(Collectors.toSet());

    assertThat(Kustomization.resources(DeployFiles.KUBERNETES)).containsExactly("base");
    assertThat(Kustomization.resources(DeployFiles.KUBERNETES_BASE))
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void scaleOutKustomization_isTheBasePlusEveryManifestAndPatchInItsDirectory() {
    List<String> files =
        DeployFiles.yamlFiles(DeployFiles.SCALE_OUT)
            .map(file -> file.getFileName().toString())
            .filter(name -> !name.equals("kustomization.yaml"))
            .toList();
    List<String> listed = new ArrayList<>(Kustomization.resources(DeployFiles.SCALE_OUT));
    listed.addAll(Kustomization.patches(DeployFiles.SCALE_OUT));

    assertThat(listed).contains("../base");
    listed.remove("../base");
    assertThat(listed).containsExactlyInAnyOrderElementsOf(files);
  }

  @Test
  void kustomization_imageOverrideNamesTheImageTheWorkloadsUse() {
    JsonNode kustomization =
        DeployFiles.yamlDocuments(DeployFiles.KUBERNETES_BASE.resolve("kustomization.yaml")).get(0);
    String image = Workload.deployment().container().path("image").asText();

    assertThat(kustomization.at("/images/0/name").asText())
        .isEqualTo(image.substring(0, image.lastIndexOf(':')));
  }

  @ParameterizedTest
  @MethodSource("workloads")
  void workload_selectorMatchesItsPodLabels(Workload workload) {
    assertThat(workload.selector()).isNotEmpty();
    assertThat(workload.podLabels()).containsAllEntriesOf(workload.selector());
  }

  @Test
  void service_selectsTheDeploymentsPodsAndNotTheDaemonSets() {
    Map<String, String> selector =
        Workload.strings(
            DeployFiles.kubernetesObject("service.yaml", "Service").at("/spec/selector"));

    assertThat(selector).isNotEmpty();
    assertThat(Workload.deployment().podLabels()).containsAllEntriesOf(selector);
    assertThat(Workload.daemonSet().podLabels().entrySet().containsAll(selector.entrySet()))
        .as("the Service would also select the node-local DaemonSet's pods")
        .isFalse();
  }

  @ParameterizedTest
  @MethodSource("workloads")
  void workload_mountsOnlyVolumesItDeclaresAndTheirSourcesExist(Workload workload) {
    Set<String> volumes = new HashSet<>();
    workload.podSpec().path("volumes").forEach(volume -> volumes.add(volume.path("name").asText()));
    List<JsonNode> containers = new ArrayList<>();
    workload.podSpec().path("containers").forEach(containers::add);
    workload.podSpec().path("initContainers").forEach(containers::add);

    for (JsonNode container : containers) {
      for (JsonNode mount : container.path("volumeMounts")) {
        assertThat(volumes)
            .as(workload + " mount " + mount.path("mountPath").asText())
            .contains(mount.path("name").asText());
      }
    }
    for (JsonNode volume : workload.podSpec().path("volumes")) {
      if (volume.has("configMap")) {
        assertThat(MountedFiles.configMapData(volume.at("/configMap/name").asText())).isNotEmpty();
      }
      if (volume.has("secret")) {
        assertThat(MountedFiles.secretData(volume.at("/secret/secretName").asText())).isNotEmpty();
      }
      for (JsonNode source : volume.at("/projected/sources")) {
        if (source.has("configMap")) {
          assertThat(MountedFiles.configMapData(source.at("/configMap/name").asText()))
              .isNotEmpty();
        }
        if (source.has("secret")) {
          assertThat(MountedFiles.secretData(source.at("/secret/name").asText())).isNotEmpty();
        }
      }
      if (volume.has("persistentVolumeClaim")) {
        assertThat(volume.at("/persistentVolumeClaim/claimName").asText())
            .isEqualTo(
                DeployFiles.kubernetesObject("pvc.yaml", "PersistentVolumeClaim")
                    .at("/metadata/name")
                    .asText());
      }
    }
  }

  @Test
  void deployment_recreatesItsSinglePodBecauseTheCacheVolumeIsReadWriteOnce() {
    JsonNode pvc = DeployFiles.kubernetesObject("pvc.yaml", "PersistentVolumeClaim");
    JsonNode deployment = Workload.deployment().object();

    assertThat(pvc.at("/spec/accessModes").toString()).contains("ReadWriteOnce");
    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(1);
    assertThat(deployment.at("/spec/strategy/type").asText()).isEqualTo("Recreate");
  }

  @Test
  void daemonSet_keepsItsCacheOnTheHostSoItOutlivesThePod() {
    Workload daemonSet = Workload.daemonSet();
    String dataMount =
        ServeOptions.parse(daemonSet.args()).matchedOptionValue("--data", Path.of("")).toString();
    JsonNode volume =
        daemonSet.volume(daemonSet.mountAt(dataMount).orElseThrow().path("name").asText());

    assertThat(volume.at("/hostPath/path").asText()).isEqualTo(dataMount);
    JsonNode init = daemonSet.podSpec().at("/initContainers/0");
    assertThat(init.path("command").toString())
        .as("the init container hands the hostPath to the container's user")
        .contains("chown")
        .contains(daemonSet.container().at("/securityContext/runAsUser").asText() + ":")
        .contains(dataMount);
  }

  @ParameterizedTest
  @MethodSource("workloads")
  void workload_runsStevedoreAsNonRootWithoutPrivileges(Workload workload) {
    JsonNode pod = workload.podSpec().path("securityContext");
    JsonNode container = workload.container().path("securityContext");

    assertThat(container.path("runAsNonRoot").asBoolean(pod.path("runAsNonRoot").asBoolean()))
        .isTrue();
    assertThat(container.path("runAsUser").asInt(pod.path("runAsUser").asInt())).isPositive();
    assertThat(container.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(container.at("/capabilities/drop").toString()).contains("ALL");
    assertThat(pod.at("/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
    if (container.path("readOnlyRootFilesystem").asBoolean()) {
      assertThat(workload.mountAt("/tmp")).as("a writable /tmp for the JVM").isPresent();
    }
  }

  /**
   * The Secret holds, under the key the workloads mount as {@code --credentials-file}, a Docker
   * config that Stevedore reads: the placeholder as committed means anonymous pulls (no entry for
   * any upstream), and the same document with the entry {@code kubectl create secret
   * docker-registry} writes gives Stevedore exactly those Docker Hub credentials.
   */
  @Test
  void secret_isADockerConfigJsonThatStevedoreReads(@TempDir Path tmp) throws Exception {
    JsonNode secret = DeployFiles.kubernetesObject("secret.yaml", "Secret");
    byte[] config =
        MountedFiles.secretData(secret.at("/metadata/name").asText()).get(".dockerconfigjson");

    assertThat(secret.path("type").asText()).isEqualTo("kubernetes.io/dockerconfigjson");
    assertThat(config).as("the .dockerconfigjson key").isNotNull();
    Path placeholder = Files.write(tmp.resolve("placeholder.json"), config);
    assertThat(DockerConfigCredentials.load(placeholder)).as("anonymous: no entries").isEmpty();

    ObjectNode filled = (ObjectNode) JSON.readTree(config);
    ObjectNode entry = ((ObjectNode) filled.path("auths")).putObject("https://index.docker.io/v1/");
    entry.put("username", "puller");
    entry.put("password", "dckr_pat_example");
    entry.put(
        "auth",
        Base64.getEncoder()
            .encodeToString("puller:dckr_pat_example".getBytes(StandardCharsets.UTF_8)));
    Path real = Files.write(tmp.resolve("real.json"), JSON.writeValueAsBytes(filled));
    Map<String, Credentials> auths = DockerConfigCredentials.load(real);

    assertThat(auths).hasSize(1);
    assertThat(DockerConfigCredentials.lookup(auths, DockerConfigCredentials.DOCKER_HUB))
        .contains(new Credentials("puller", "dckr_pat_example"));
  }
}
