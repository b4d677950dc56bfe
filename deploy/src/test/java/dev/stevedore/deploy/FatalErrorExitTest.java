package dev.stevedore.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * Every way Stevedore is started makes the JVM exit on an {@link OutOfMemoryError}: a server out of
 * memory is half alive (health checks answer while fetches hang) and must be restarted by its
 * supervisor instead. The flag is in deploy/jvm/jvm.options, which every way of starting it reads.
 */
class FatalErrorExitTest {

  static final String FLAG = "-XX:+ExitOnOutOfMemoryError";

  @Test
  void jvmOptions_haveTheFlag_andTheLauncherTheUnitAndTheImageReadThem() {
    assertThat(JvmOptionsTest.flags()).contains(FLAG);
    // that all three start java @jvm.options: JvmOptionsTest and DockerfileTest
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
