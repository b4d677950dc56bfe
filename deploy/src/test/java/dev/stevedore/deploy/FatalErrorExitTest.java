package dev.stevedore.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every way Stevedore is started makes the JVM exit on an {@link OutOfMemoryError}: a server out of
 * memory is half alive (health checks answer while fetches hang) and must be restarted by its
 * supervisor instead. The flag comes before {@code -jar}, where the JVM reads it.
 */
class FatalErrorExitTest {

  static final String FLAG = "-XX:+ExitOnOutOfMemoryError";

  @Test
  void launcher_passesTheFlagBeforeTheJarAndKeepsTheUsersOptions() {
    List<String> exec =
        DeployFiles.read(DeployFiles.REPOSITORY.resolve("stevedore"))
            .lines()
            .filter(line -> line.startsWith("exec java "))
            .toList();

    assertThat(exec).hasSize(1);
    List<String> words = List.of(exec.get(0).split("\\s+"));
    assertThat(words).contains(FLAG, "${STEVEDORE_JAVA_OPTS:-}");
    assertThat(words.indexOf(FLAG)).isLessThan(words.indexOf("-jar"));
    assertThat(words.indexOf(FLAG))
        .as("the user's options come later, so they can override it")
        .isLessThan(words.indexOf("${STEVEDORE_JAVA_OPTS:-}"));
  }

  @Test
  void systemdUnit_passesTheFlagBeforeTheJar() {
    SystemdUnit unit = SystemdUnit.read(DeployFiles.SYSTEMD.resolve("stevedore.service"));
    List<String> command = List.of(unit.value("Service", "ExecStart").split("\\s+"));

    assertThat(command).contains(FLAG);
    assertThat(command.indexOf(FLAG)).isLessThan(command.indexOf("-jar"));
  }

  @Test
  void image_passesTheFlagBeforeTheJar_inItsJvmOptionsFile() {
    List<String> entrypoint = Dockerfile.read(DeployFiles.DOCKERFILE).last("ENTRYPOINT").execForm();
    String options = "@" + DockerfileTest.JVM_OPTIONS;

    assertThat(entrypoint).contains(options);
    assertThat(entrypoint.indexOf(options)).isLessThan(entrypoint.indexOf("-jar"));
    assertThat(DeployFiles.read(DeployFiles.DEPLOY.resolve("jvm/jvm.options")).lines())
        .contains(FLAG);
  }

  @Test
  void kubernetesWorkloads_keepTheFlagWhereTheyOverrideJavaOptions() {
    for (Workload workload : Workload.all()) {
      for (JsonNode env : workload.container().path("env")) {
        String name = env.path("name").asText();
        if (name.equals("JDK_JAVA_OPTIONS") || name.equals("JAVA_TOOL_OPTIONS")) {
          assertThat(env.path("value").asText().split("\\s+"))
              .as(workload + " " + name)
              .contains(FLAG);
        }
      }
      JsonNode command = workload.container().path("command");
      assertThat(command.isMissingNode() || command.isEmpty())
          .as(workload + " runs the image's ENTRYPOINT, which has the flag")
          .isTrue();
    }
  }
}
