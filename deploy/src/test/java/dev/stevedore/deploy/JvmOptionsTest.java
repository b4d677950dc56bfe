package dev.stevedore.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deploy/jvm/jvm.options is the one place for the JVM settings: the launcher, the systemd unit and
 * the image all start {@code java @jvm.options}, with the user's options after it, and every JDK on
 * the machine (17 and newer) accepts it.
 */
class JvmOptionsTest {

  static final String SOURCE = "deploy/jvm/jvm.options";
  static final String INSTALLED = "/opt/stevedore/jvm.options";
  static final String MALLOC_ARENAS = "MALLOC_ARENA_MAX=2";

  private static final Path FILE = DeployFiles.REPOSITORY.resolve(SOURCE);

  /** The file's flags, comments and blank lines left out. */
  static List<String> flags() {
    return DeployFiles.read(FILE)
        .lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .toList();
  }

  @Test
  void everyFlag_isExplainedByTheCommentAboveIt() {
    List<String> lines = DeployFiles.read(FILE).lines().map(String::strip).toList();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("-")) {
        int above = i - 1;
        while (above >= 0 && lines.get(above).startsWith("-")) {
          above--;
        }
        assertThat(above >= 0 && lines.get(above).startsWith("#"))
            .as("a comment above " + lines.get(i))
            .isTrue();
      }
    }
  }

  @Test
  void launcher_startsJavaWithTheFile_thenTheUsersOptions() {
    String launcher = DeployFiles.read(DeployFiles.REPOSITORY.resolve("stevedore"));
    List<String> exec = launcher.lines().filter(line -> line.startsWith("exec java ")).toList();

    assertThat(exec).hasSize(1);
    List<String> words = List.of(exec.get(0).split("\\s+"));
    assertThat(launcher).contains("settings=(@\"$root/" + SOURCE + "\")");
    assertThat(words.subList(2, 6))
        .containsExactly(
            "\"${settings[@]}\"", // the file first,
            "${cds[@]+\"${cds[@]}\"}", // then the class-data archive,
            "${STEVEDORE_JAVA_OPTS:-}", // then the user's options, which override both
            "-jar");
    assertThat(launcher).contains("export MALLOC_ARENA_MAX=\"${MALLOC_ARENA_MAX:-2}\"");
  }

  @Test
  void systemdUnit_startsJavaWithTheInstalledFile_thenTheUsersOptions() {
    Path service = DeployFiles.SYSTEMD.resolve("stevedore.service");
    SystemdUnit unit = SystemdUnit.read(service);
    List<String> command = List.of(unit.value("Service", "ExecStart").split("\\s+"));

    assertThat(command.get(1)).isEqualTo("@" + INSTALLED);
    int users = command.indexOf("$STEVEDORE_JAVA_OPTS");
    assertThat(users).as("the user's options after the file's").isGreaterThan(1);
    assertThat(command.get(users + 1)).isEqualTo("-jar");
    assertThat(DeployFiles.read(service))
        .contains("install -D -m 0644 " + SOURCE + " " + INSTALLED)
        .contains("Environment=" + MALLOC_ARENAS);
  }

  @Test
  void image_setsTheSameMallocArenas() {
    assertThat(Dockerfile.read(DeployFiles.DOCKERFILE).last("ENV").words()).contains(MALLOC_ARENAS);
  }

  @Test
  void everyJdkOnTheMachine_acceptsTheFile_withSerialGcAndAHeapTheBufferBudgetFits()
      throws Exception {
    List<Path> jdks = jdks();
    assertThat(jdks).isNotEmpty();
    for (Path java : jdks) {
      String version = run(java, "@" + FILE, "-version");
      assertThat(version.toLowerCase())
          .as(java + " warns of nothing:\n" + version)
          .doesNotContain("warning", "obsolete", "deprecated", "ignoring", "unrecognized");

      Map<String, String> finalFlags =
          finalFlags(run(java, "@" + FILE, "-XX:+PrintFlagsFinal", "-version"));
      assertThat(finalFlags).containsEntry("UseSerialGC", "true");
      long maxHeap = Long.parseLong(finalFlags.get("MaxHeapSize"));
      assertThat(maxHeap).as(java + " max heap").isLessThanOrEqualTo(256L << 20);
      assertThat(maxHeap / 4)
          .as("the buffer budget, a quarter of the heap, is at least its 16 MiB floor")
          .isGreaterThanOrEqualTo(16L << 20);

      // MaxRAM stands in for a container limit here: both set the memory the JVM sizes from.
      Map<String, String> small =
          finalFlags(run(java, "@" + FILE, "-XX:MaxRAM=200m", "-XX:+PrintFlagsFinal", "-version"));
      assertThat(Long.parseLong(small.get("MaxHeapSize")))
          .as(java + " with 200 MiB: half of it")
          .isEqualTo(100L << 20);
    }
  }

  /** Runs java with the arguments, expects exit 0, returns what it printed. */
  private static String run(Path java, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(java.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(command + ":\n" + output).isZero();
    return output;
  }

  /** The JDK running the tests and every other one installed the Debian way. */
  private static List<Path> jdks() throws IOException {
    Set<Path> found = new LinkedHashSet<>();
    found.add(Path.of(System.getProperty("java.home"), "bin", "java").toRealPath());
    Path jvms = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvms)) {
      try (Stream<Path> homes = Files.list(jvms)) {
        for (Path home : homes.sorted().toList()) {
          Path java = home.resolve("bin/java");
          if (Files.isExecutable(java)) {
            found.add(java.toRealPath());
          }
        }
      }
    }
    return new ArrayList<>(found);
  }

  private static final Pattern FLAG_LINE =
      Pattern.compile("^\\s*\\S+\\s+(\\w+)\\s+:?=\\s+(\\S+)", Pattern.MULTILINE);

  private static Map<String, String> finalFlags(String printFlagsFinal) {
    Map<String, String> flags = new java.util.HashMap<>();
    Matcher matcher = FLAG_LINE.matcher(printFlagsFinal);
    while (matcher.find()) {
      flags.put(matcher.group(1), matcher.group(2));
    }
    return flags;
  }
}
