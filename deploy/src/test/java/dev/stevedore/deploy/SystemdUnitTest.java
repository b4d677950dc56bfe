package dev.stevedore.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.cli.StevedoreCommand;
import dev.stevedore.server.config.ConfigFile;
import dev.stevedore.server.config.HostPort;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** deploy/systemd/stevedore.service runs the server the way the code and the image do. */
class SystemdUnitTest {

  private final SystemdUnit unit =
      SystemdUnit.read(DeployFiles.SYSTEMD.resolve("stevedore.service"));

  private List<String> execStart() {
    return List.of(unit.value("Service", "ExecStart").split("\\s+"));
  }

  /** The arguments after {@code -jar JAR}. */
  private List<String> serveArgs() {
    List<String> command = execStart();
    int jar = command.indexOf("-jar");
    return command.subList(jar + 2, command.size());
  }

  @Test
  void execStart_runsTheImagesJarWithAbsoluteJava() {
    List<String> command = execStart();

    assertThat(command.get(0)).startsWith("/").endsWith("/java");
    assertThat(command).contains("-jar");
    assertThat(command.get(command.indexOf("-jar") + 1)).isEqualTo(DockerfileTest.JAR);
  }

  @Test
  void execStart_servesWithOptionsItHas() {
    List<String> args = serveArgs();

    assertThat(args).first().isEqualTo("serve");
    assertThat(ServeOptions.flagsIn(args))
        .isNotEmpty()
        .allSatisfy(flag -> assertThat(ServeOptions.names()).contains(flag));
    ServeOptions.parse(args);
  }

  @Test
  void data_isTheStateDirectory() {
    Path data = ServeOptions.parse(serveArgs()).matchedOptionValue("--data", Path.of(""));

    assertThat(data)
        .isEqualTo(Path.of("/var/lib").resolve(unit.value("Service", "StateDirectory")));
  }

  @Test
  void user_isADedicatedUserThatSysusersCreates() {
    String user = unit.value("Service", "User");
    String sysusers = DeployFiles.read(DeployFiles.SYSTEMD.resolve("stevedore.sysusers"));

    assertThat(user).isNotEqualTo("root").isNotBlank();
    assertThat(sysusers.lines()).anyMatch(line -> line.startsWith("u " + user + " "));
  }

  @Test
  void config_isTheExampleConfigFileAndItParses() {
    Path config = ServeOptions.parse(serveArgs()).matchedOptionValue("--config", Path.of(""));
    ConfigFile example = ConfigFile.read(DeployFiles.SYSTEMD.resolve(config.getFileName()));

    assertThat(config).isEqualTo(Path.of("/etc/stevedore/stevedore.yml"));
    assertThat(HostPort.parse(example.listen()).port()).isEqualTo(ServeOptions.DEFAULT_PORT);
  }

  @Test
  void restart_onFailureButNotOnBadConfiguration() {
    assertThat(unit.value("Service", "Restart")).isEqualTo("on-failure");
    assertThat(unit.value("Service", "RestartPreventExitStatus").split("\\s+"))
        .contains(String.valueOf(StevedoreCommand.EXIT_CONFIG));
  }

  @Test
  void hardening_leavesOutWhatBreaksTheJvm() {
    assertThat(unit.values("Service", "MemoryDenyWriteExecute"))
        .as("the JIT writes executable code")
        .isEmpty();
    assertThat(unit.value("Service", "NoNewPrivileges")).isEqualTo("yes");
    assertThat(unit.value("Service", "ProtectSystem")).isEqualTo("strict");
  }

  /**
   * The unit uses the class-data archive next to the jar, with the flags the launcher uses: a JVM
   * that cannot use it (a stale archive, another JDK) starts normally and says nothing.
   */
  @Test
  void execStart_usesTheClassDataArchiveNextToTheJar_asTheLauncherDoes() {
    List<String> command = execStart();
    List<String> quietAuto = List.of("-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off");

    assertThat(command.subList(0, command.indexOf("-jar")))
        .contains("-XX:SharedArchiveFile=/opt/stevedore/stevedore.jsa")
        .containsAll(quietAuto);
    assertThat(DeployFiles.read(DeployFiles.REPOSITORY.resolve("stevedore")))
        .contains("-XX:SharedArchiveFile=\"$jsa\" " + String.join(" ", quietAuto));
  }
}
