package dev.stevedore.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.server.config.ClusterSettings;
import dev.stevedore.server.config.ClusterSettingsResolver;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParseResult;
import software.amazon.awssdk.core.SdkSystemSetting;

/**
 * The scale-out overlay (deploy/kubernetes/scale-out), rendered as kustomize renders it: replicas
 * that survive losing one, and what they are given agrees with what the code reads.
 */
class ScaleOutManifestsTest {
  private static final List<JsonNode> OBJECTS = DeployFiles.scaleOutObjects();
  private static final Workload SCALE_OUT = Workload.scaleOut();

  /** Every environment variable Stevedore or its AWS chain reads that the pod may set. */
  private static final Set<String> READ_BY_THE_CODE =
      Set.of(
          ClusterSettingsResolver.ENV_POD_IP,
          SdkSystemSetting.AWS_ACCESS_KEY_ID.environmentVariable(),
          SdkSystemSetting.AWS_SECRET_ACCESS_KEY.environmentVariable(),
          "STEVEDORE_LOG_LEVEL",
          "JDK_JAVA_OPTIONS");

  private static JsonNode object(String kind, String name) {
    return DeployFiles.object(OBJECTS, kind, name);
  }

  @Test
  void deployment_runsThreeReplicasRollingOneAtATime_withoutTheBasesVolume() {
    JsonNode deployment = SCALE_OUT.object();

    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(deployment.at("/spec/strategy/type").asText()).isEqualTo("RollingUpdate");
    assertThat(deployment.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt()).isEqualTo(1);
    for (JsonNode volume : SCALE_OUT.podSpec().path("volumes")) {
      assertThat(volume.has("persistentVolumeClaim")).as(volume.toString()).isFalse();
      assertThat(volume.has("configMap") && volume.has("projected")).isFalse();
    }
    assertThat(OBJECTS)
        .noneMatch(
            object ->
                object.path("kind").asText().equals("PersistentVolumeClaim")
                    && object.at("/metadata/name").asText().equals("stevedore-data"));
  }

  @Test
  void localTier_isAnEmptyDirAtData() {
    String data =
        ServeOptions.parse(SCALE_OUT.args()).matchedOptionValue("--data", Path.of("")).toString();
    JsonNode volume = SCALE_OUT.volume(SCALE_OUT.mountAt(data).orElseThrow().path("name").asText());

    assertThat(volume.has("emptyDir")).isTrue();
    assertThat(volume.at("/emptyDir/sizeLimit").asText()).isNotBlank();
  }

  @Test
  void disruptionBudget_keepsTwoOfTheReplicas_selectingThem() {
    JsonNode pdb = object("PodDisruptionBudget", "stevedore");

    assertThat(pdb.at("/spec/minAvailable").asInt())
        .isEqualTo(2)
        .isLessThan(SCALE_OUT.object().at("/spec/replicas").asInt());
    assertThat(SCALE_OUT.podLabels())
        .containsAllEntriesOf(Workload.strings(pdb.at("/spec/selector/matchLabels")));
  }

  @Test
  void antiAffinity_prefersOtherNodesForTheReplicas() {
    JsonNode terms =
        SCALE_OUT
            .podSpec()
            .at("/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution");

    assertThat(terms.size()).isEqualTo(1);
    JsonNode term = terms.get(0).path("podAffinityTerm");
    assertThat(term.path("topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
    assertThat(SCALE_OUT.podLabels())
        .containsAllEntriesOf(Workload.strings(term.at("/labelSelector/matchLabels")));
    assertThat(
            SCALE_OUT
                .podSpec()
                .at("/affinity/podAntiAffinity")
                .has("requiredDuringSchedulingIgnoredDuringExecution"))
        .as("preferred: three replicas still schedule on fewer nodes")
        .isFalse();
  }

  @Test
  void probes_areReadinessOnReadyzAndLivenessOnHealthz() {
    assertThat(SCALE_OUT.container().at("/readinessProbe/httpGet/path").asText())
        .isEqualTo("/readyz");
    assertThat(SCALE_OUT.container().at("/livenessProbe/httpGet/path").asText())
        .isEqualTo("/healthz");
  }

  @Test
  void env_namesOnlyVariablesTheCodeReads() {
    List<String> names = new ArrayList<>();
    SCALE_OUT
        .container()
        .path("env")
        .forEach(variable -> names.add(variable.path("name").asText()));

    assertThat(names).doesNotHaveDuplicates();
    assertThat(READ_BY_THE_CODE).containsAll(names);
  }

  @Test
  void podIp_comesFromTheDownwardApi_forTheDefaultAdvertise() {
    JsonNode podIp = SCALE_OUT.env(ClusterSettingsResolver.ENV_POD_IP).orElseThrow();

    assertThat(podIp.at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("status.podIP");
    assertThat(ServeOptions.parse(SCALE_OUT.args()).hasMatchedOption("--advertise")).isFalse();
  }

  @Test
  void s3Credentials_comeFromASecretThatHasThem_neverFromAFlag() {
    for (SdkSystemSetting setting :
        List.of(SdkSystemSetting.AWS_ACCESS_KEY_ID, SdkSystemSetting.AWS_SECRET_ACCESS_KEY)) {
      JsonNode ref =
          SCALE_OUT.env(setting.environmentVariable()).orElseThrow().at("/valueFrom/secretKeyRef");

      assertThat(MountedFiles.secretData(ref.path("name").asText()))
          .containsKey(ref.path("key").asText());
    }
  }

  @Test
  void clusterSecret_isAMountedSecretLongEnough() {
    String file =
        ServeOptions.parse(SCALE_OUT.args())
            .matchedOptionValue("--cluster-secret-file", Path.of(""))
            .toString();
    JsonNode config =
        SCALE_OUT.volume(SCALE_OUT.mountAt("/etc/stevedore").orElseThrow().path("name").asText());
    JsonNode secret = null;
    for (JsonNode source : config.at("/projected/sources")) {
      if (source.has("secret")) {
        secret = source.get("secret");
      }
    }

    assertThat(secret).as("a Secret in the mount of " + file).isNotNull();
    assertThat(file).isEqualTo("/etc/stevedore/" + secret.at("/items/0/path").asText());
    byte[] placeholder =
        MountedFiles.secretData(secret.path("name").asText())
            .get(secret.at("/items/0/key").asText());
    assertThat(placeholder.length).isGreaterThanOrEqualTo(ClusterSettings.MIN_SECRET_BYTES);
  }

  /** The example MinIO is where {@code --s3-endpoint} points, and its Job makes the bucket. */
  @Test
  void exampleMinio_isTheEndpoint_andItsJobCreatesTheStoresBucket() {
    ParseResult serve = ServeOptions.parse(SCALE_OUT.args());
    URI endpoint = URI.create(serve.matchedOptionValue("--s3-endpoint", ""));
    String store = serve.matchedOptionValue("--store", "");
    JsonNode service = object("Service", "minio");
    JsonNode job = object("Job", "minio-create-bucket");
    String bucket = URI.create(store).getHost();

    assertThat(endpoint.getHost())
        .isEqualTo(
            service.at("/metadata/name").asText()
                + "."
                + service.at("/metadata/namespace").asText()
                + ".svc");
    assertThat(endpoint.getPort()).isEqualTo(service.at("/spec/ports/0/port").asInt());
    assertThat(job.at("/spec/template/spec/containers/0/command").toString())
        .contains("mc mb --ignore-existing local/" + bucket + "\\n")
        .contains(endpoint.toString());
    JsonNode minio = object("Deployment", "minio");
    assertThat(Workload.strings(minio.at("/spec/template/metadata/labels")))
        .containsAllEntriesOf(Workload.strings(service.at("/spec/selector")));
    assertThat(minio.at("/spec/template/spec/containers/0/ports/0/name").asText())
        .isEqualTo(service.at("/spec/ports/0/targetPort").asText());
  }

  /** Every Secret an env or envFrom of any pod in the overlay names exists with those keys. */
  @Test
  void everySecretReference_resolves() {
    for (JsonNode object : OBJECTS) {
      for (JsonNode container : object.at("/spec/template/spec/containers")) {
        for (JsonNode from : container.path("envFrom")) {
          assertThat(MountedFiles.secretData(from.at("/secretRef/name").asText())).isNotEmpty();
        }
        for (JsonNode variable : container.path("env")) {
          JsonNode ref = variable.at("/valueFrom/secretKeyRef");
          if (!ref.isMissingNode()) {
            assertThat(MountedFiles.secretData(ref.path("name").asText()))
                .as(object.at("/metadata/name").asText() + " " + variable.path("name").asText())
                .containsKey(ref.path("key").asText());
          }
        }
      }
    }
  }

  @Test
  void everyObject_isInTheNamespace() {
    assertThat(OBJECTS)
        .allSatisfy(
            object ->
                assertThat(
                        object.path("kind").asText().equals("Namespace")
                            || object.at("/metadata/namespace").asText().equals("stevedore"))
                    .as(object.path("kind").asText() + " " + object.at("/metadata/name").asText())
                    .isTrue());
  }
}
