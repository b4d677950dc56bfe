package dev.stevedore.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.server.cli.StevedoreCommand;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** deploy/docker/Dockerfile builds the jar the build makes into an image the manifests can run. */
class DockerfileTest {

  static final String JAR = "/opt/stevedore/stevedore.jar";
  static final String BUILT_JAR = "proxy-server/target/stevedore.jar";
  static final String JVM_OPTIONS = "/opt/stevedore/jvm.options";
  static final String CDS_ARCHIVE = "/opt/stevedore/stevedore.jsa";

  /** Where the jlink runtime is, in the build stage and in the image. */
  static final String RUNTIME = "/opt/java";

  private final Dockerfile dockerfile = Dockerfile.read(DeployFiles.DOCKERFILE);

  @Test
  void expose_isTheDefaultListenPort() {
    assertThat(dockerfile.last("EXPOSE").words())
        .containsExactly(String.valueOf(ServeOptions.DEFAULT_PORT));
  }

  @Test
  void entrypoint_runsTheCopiedJarWithTheJvmOptionsAndTheArchive() {
    assertThat(dockerfile.last("ENTRYPOINT").execForm())
        .containsExactly(
            "java",
            "@" + JVM_OPTIONS,
            "-XX:SharedArchiveFile=" + CDS_ARCHIVE,
            "-Xshare:auto",
            "-Xlog:cds=off",
            "-Xlog:cds+dynamic=off",
            "-jar",
            JAR);
  }

  @Test
  void buildStage_copiesTheJarAndJvmOptionsWhereTheImageRunsThem() {
    List<String> copy = buildStage().last("COPY").words();

    assertThat(copy)
        .containsExactly(
            "deploy/jvm/jvm.options", BUILT_JAR, Path.of(JAR).getParent().toString() + "/");
    assertThat(Path.of(JVM_OPTIONS).getParent()).isEqualTo(Path.of(JAR).getParent());
  }

  @Test
  void buildStage_jlinksTheModuleListWithTheScript_thenRecordsTheArchiveTheImageUses() {
    Dockerfile build = buildStage();
    String runs =
        String.join(
            " ",
            build.all("RUN").stream()
                .map(Dockerfile.Instruction::words)
                .flatMap(List::stream)
                .toList());

    assertThat(build.all("FROM").get(0).words()).containsExactly("${JDK_IMAGE}", "AS", "jdk");
    assertThat(dockerfile.argDefault("JDK_IMAGE")).startsWith("eclipse-temurin:17-jdk");
    assertThat(build.all("COPY").get(0).words())
        .containsExactly(
            "deploy/docker/jlink-modules",
            "deploy/docker/jlink-runtime.sh",
            "deploy/docker/rootfs.sh",
            "/build/");
    assertThat(runs)
        .contains("/build/jlink-runtime.sh \"$JAVA_HOME\" " + RUNTIME)
        .contains(
            RUNTIME
                + "/bin/java @"
                + JVM_OPTIONS
                + " -jar "
                + JAR
                + " warm-up --archive "
                + CDS_ARCHIVE
                + " --with-config")
        .contains("cp -a " + RUNTIME + " " + Path.of(JAR).getParent() + " /rootfs/opt/")
        .contains("/build/rootfs.sh /rootfs");
    assertThat(DeployFiles.read(DeployFiles.DOCKERFILE.resolveSibling("jlink-runtime.sh")))
        .as("the one module list")
        .contains("/jlink-modules\"");
  }

  @Test
  void image_isTheBuiltFileSystemOnAnEmptyBase_runningTheRuntimesJava() {
    Dockerfile image = imageStage();
    List<String> env = image.last("ENV").words();

    assertThat(image.all("FROM").get(0).words()).containsExactly("${RUNTIME_IMAGE}");
    assertThat(dockerfile.argDefault("RUNTIME_IMAGE")).isEqualTo("scratch");
    assertThat(image.all("COPY")).hasSize(1);
    assertThat(image.last("COPY").words()).containsExactly("--from=jdk", "/rootfs/", "/");
    assertThat(image.all("RUN")).as("no shell in the image").isEmpty();
    assertThat(env).contains("PATH=" + RUNTIME + "/bin", "JAVA_HOME=" + RUNTIME);
    assertThat(image.last("USER").arguments()).isEqualTo(dockerfile.last("USER").arguments());
  }

  @Test
  void jlinkModules_areModulesOfTheJdk() {
    List<String> modules = jlinkModules();

    assertThat(modules).contains("java.base", "jdk.crypto.ec", "jdk.unsupported");
    assertThat(modules)
        .allSatisfy(
            module -> assertThat(ModuleFinder.ofSystem().find(module)).as(module).isPresent());
  }

  @Test
  void rootfs_namesTheImagesUser() {
    String[] user = dockerfile.last("USER").arguments().split(":");

    assertThat(DeployFiles.read(DeployFiles.DOCKERFILE.resolveSibling("rootfs.sh")))
        .contains(":x:" + user[0] + ":" + user[1] + ":stevedore:/var/lib/stevedore:")
        .contains("chown " + user[0] + ":" + user[1] + " \"$root/var/lib/stevedore\"");
  }

  /** The modules of {@code deploy/docker/jlink-modules}: its lines but comments and blanks. */
  static List<String> jlinkModules() {
    return DeployFiles.read(DeployFiles.DOCKERFILE.resolveSibling("jlink-modules"))
        .lines()
        .filter(line -> !line.isBlank() && !line.startsWith("#"))
        .toList();
  }

  private Dockerfile buildStage() {
    List<Dockerfile> stages = dockerfile.stages();
    assertThat(stages).hasSize(2);
    return stages.get(0);
  }

  private Dockerfile imageStage() {
    List<Dockerfile> stages = dockerfile.stages();
    assertThat(stages).hasSize(2);
    return stages.get(1);
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
  void dockerignore_letsEveryCopiedFileIntoTheBuildContext_andNothingElse() {
    String ignore =
        DeployFiles.read(DeployFiles.DOCKERFILE.resolveSibling("Dockerfile.dockerignore"));
    List<String> rules =
        ignore.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
    List<String> copied =
        dockerfile.all("COPY").stream()
            .map(Dockerfile.Instruction::words)
            .filter(words -> !words.get(0).startsWith("--from="))
            .flatMap(words -> words.subList(0, words.size() - 1).stream())
            .map(source -> "!" + source)
            .toList();

    assertThat(rules.get(0)).isEqualTo("*");
    assertThat(rules.subList(1, rules.size())).containsExactlyInAnyOrderElementsOf(copied);
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
