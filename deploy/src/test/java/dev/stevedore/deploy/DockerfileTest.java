package dev.stevedore.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.server.cli.StevedoreCommand;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** deploy/docker/Dockerfile builds the jar the build makes into an image the manifests can run. */
class DockerfileTest {

  static final String JAR = "/opt/stevedore/stevedore.jar";
  static final String BUILT_JAR = "proxy-server/target/stevedore.jar";

  private final Dockerfile dockerfile = Dockerfile.read(DeployFiles.DOCKERFILE);

  @Test
  void expose_isTheDefaultListenPort() {
    assertThat(dockerfile.last("EXPOSE").words())
        .containsExactly(String.valueOf(ServeOptions.DEFAULT_PORT));
  }

  @Test
  void entrypoint_runsTheCopiedJarWithTheCopiedJvmOptions() {
    List<List<String>> copies =
        dockerfile.all("COPY").stream().map(Dockerfile.Instruction::words).toList();

    assertThat(dockerfile.last("ENTRYPOINT").execForm())
        .containsExactly("java", "@" + JvmOptionsTest.INSTALLED, "-jar", JAR);
    assertThat(copies)
        .contains(
            List.of(BUILT_JAR, JAR), List.of(JvmOptionsTest.SOURCE, JvmOptionsTest.INSTALLED));
  }

  @Test
  void copiedJar_isTheShadedJarTheBuildWritesWithTheCommandLineAsMainClass() {
    String serverPom = DeployFiles.read(DeployFiles.REPOSITORY.resolve("proxy-server/pom.xml"));

    assertThat(serverPom)
        .contains(
            "<outputFile>${project.build.directory}/"
                + Path.of(BUILT_JAR).getFileName()
                + "</outputFile>")
        .contains("<mainClass>" + StevedoreCommand.class.getName() + "</mainClass>");
  }

  @Test
  void dockerignore_letsTheJarAndTheJvmOptionsIntoTheBuildContext() {
    String ignore =
        DeployFiles.read(DeployFiles.DOCKERFILE.resolveSibling("Dockerfile.dockerignore"));
    List<String> rules =
        ignore.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).toList();

    assertThat(rules).first().isEqualTo("*");
    assertThat(rules).contains("!" + BUILT_JAR, "!" + JvmOptionsTest.SOURCE);
  }

  @Test
  void cmd_servesTheVolumeWithServeOptions() {
    List<String> cmd = dockerfile.last("CMD").execForm();
    List<String> volume = dockerfile.last("VOLUME").execForm();

    assertThat(ServeOptions.flagsIn(cmd))
        .allSatisfy(flag -> assertThat(ServeOptions.names()).contains(flag));
    assertThat(ServeOptions.parse(cmd).matchedOptionValue("--data", Path.of("")).toString())
        .isEqualTo(volume.get(0));
  }

  @Test
  void volume_isWhereTheWorkloadsMountTheirCache() {
    String volume = dockerfile.last("VOLUME").execForm().get(0);

    for (Workload workload : Workload.all()) {
      assertThat(
              ServeOptions.parse(workload.args())
                  .matchedOptionValue("--data", Path.of(""))
                  .toString())
          .as(workload + " --data")
          .isEqualTo(volume);
    }
  }

  @Test
  void user_isTheNumericNonRootUserTheManifestsRunAs() {
    String[] user = dockerfile.last("USER").arguments().split(":");
    JsonNode deployment = Workload.deployment().podSpec().path("securityContext");
    JsonNode daemonSet = Workload.daemonSet().container().path("securityContext");

    assertThat(Integer.parseInt(user[0])).as("numeric, so runAsNonRoot can check it").isPositive();
    assertThat(deployment.path("runAsUser").asText()).isEqualTo(user[0]);
    assertThat(deployment.path("runAsGroup").asText()).isEqualTo(user[1]);
    assertThat(deployment.path("fsGroup").asText()).isEqualTo(user[1]);
    assertThat(daemonSet.path("runAsUser").asText()).isEqualTo(user[0]);
    assertThat(daemonSet.path("runAsGroup").asText()).isEqualTo(user[1]);
  }
}
