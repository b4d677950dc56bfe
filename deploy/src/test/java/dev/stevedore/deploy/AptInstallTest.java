package dev.stevedore.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * build/apt-install.sh, which run-tests and the benchmark install their tools with, against fake
 * {@code id}, {@code apt-get} and {@code systemctl} first on the PATH: the install runs under a
 * policy-rc.d that refuses to start services, which is removed afterwards even when apt-get fails;
 * a service that started all the same is stopped and disabled, and the script says so; without root
 * it names what to install and exits 1.
 */
class AptInstallTest {
  private static final String SCRIPT = "build/apt-install.sh";

  @TempDir Path tmp;
  private Path log;
  private Path running;
  private Path policy;
  private final Map<String, String> environment = new HashMap<>();

  @BeforeEach
  void fakeTools() throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    log = tmp.resolve("calls.log");
    running = tmp.resolve("running");
    policy = tmp.resolve("policy-rc.d");
    Files.writeString(running, "ssh.service\n");
    fake(bin, "id", "echo \"${FAKE_UID:-0}\"");
    fake(
        bin,
        "apt-get",
        """
        echo "apt-get $*" >>"$FAKE_LOG"
        [ "$1" = install ] || exit 0
        if [ -x "$STEVEDORE_POLICY_RC_D" ]; then
          "$STEVEDORE_POLICY_RC_D" docker-registry start
          echo "policy-rc.d answered $?" >>"$FAKE_LOG"
        fi
        [ -z "${FAKE_STARTS:-}" ] || echo "$FAKE_STARTS" >>"$FAKE_RUNNING"
        exit "${FAKE_APT_EXIT:-0}"
        """);
    fake(
        bin,
        "systemctl",
        """
        case "$1" in
          list-units) [ -z "${FAKE_NO_SYSTEMD:-}" ] || exit 1
            case "$*" in *socket*) types='service|socket' ;; *) types=service ;; esac
            grep -E "[.]($types)$" "$FAKE_RUNNING" | sed 's/$/ loaded active running Some unit/' ;;
          list-unit-files) ;;
          disable) echo "systemctl $*" >>"$FAKE_LOG" ;;
        esac
        """);
    environment.put("PATH", bin + ":" + System.getenv("PATH"));
    environment.put("FAKE_LOG", log.toString());
    environment.put("FAKE_RUNNING", running.toString());
    environment.put("STEVEDORE_POLICY_RC_D", policy.toString());
  }

  @Test
  void install_runsUnderAPolicyThatStartsNoService_removedAfterwards() throws IOException {
    ScriptRun run = install("docker-registry", "nginx-light");

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(Files.readAllLines(log))
        .containsExactly(
            "apt-get update -qq",
            "apt-get install -y -qq --no-install-recommends docker-registry nginx-light",
            "policy-rc.d answered 101");
    assertThat(policy).doesNotExist();
  }

  @Test
  void serviceStartedAnyway_isStoppedAndDisabled_andSaidSo() throws IOException {
    environment.put("FAKE_STARTS", "docker-registry.service");

    ScriptRun run = install("docker-registry");

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(Files.readAllLines(log))
        .endsWith("systemctl disable --now docker-registry.service")
        .noneMatch(line -> line.contains("ssh.service"));
    assertThat(run.output())
        .endsWith(
            "apt-install: stopped and disabled docker-registry.service, started by this install"
                + " (tests and benchmarks run their own)\n");
  }

  @Test
  void socketUnitStartedAnyway_isStoppedToo() throws IOException {
    environment.put("FAKE_STARTS", "docker.socket");

    ScriptRun run = install("docker.io");

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(Files.readAllLines(log)).endsWith("systemctl disable --now docker.socket");
  }

  @Test
  void withoutSystemd_nothingToStop() throws IOException {
    environment.put("FAKE_NO_SYSTEMD", "1");
    environment.put("FAKE_STARTS", "docker-registry.service");

    ScriptRun run = install("docker-registry");

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(Files.readAllLines(log)).noneMatch(line -> line.startsWith("systemctl"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"100", "1"})
  void failedInstall_fails_andStillRemovesThePolicy(String aptExit) {
    environment.put("FAKE_APT_EXIT", aptExit);

    ScriptRun run = install("skopeo");

    assertThat(run.exitCode()).as(run.output()).isEqualTo(Integer.parseInt(aptExit));
    assertThat(policy).doesNotExist();
  }

  @Test
  void policyAlreadyInPlace_isLeftAsItWas() throws IOException {
    Files.writeString(policy, "#!/bin/sh\nexit 101\n# the image's own\n");
    Files.setPosixFilePermissions(policy, PosixFilePermissions.fromString("rwxr-xr-x"));

    ScriptRun run = install("skopeo");

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(policy).hasContent("#!/bin/sh\nexit 101\n# the image's own");
  }

  @Test
  void withoutRoot_namesWhatToInstall_andExits1() {
    environment.put("FAKE_UID", "1000");

    ScriptRun run = install("docker-registry", "skopeo");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.output())
        .isEqualTo(
            "apt-install: missing docker-registry skopeo; install them as root with apt-get:"
                + " sudo build/apt-install.sh docker-registry skopeo\n");
    assertThat(log).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(strings = {"run-tests", SCRIPT})
  void script_isValidBash(String script) {
    ScriptRun run = ScriptRun.of(List.of("bash", "-n", script), Map.of());

    assertThat(run.exitCode()).as(run.output()).isZero();
  }

  private ScriptRun install(String... packages) {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT));
    command.addAll(List.of(packages));
    return ScriptRun.of(command, environment);
  }

  private static void fake(Path bin, String name, String body) throws IOException {
    Path file = bin.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
