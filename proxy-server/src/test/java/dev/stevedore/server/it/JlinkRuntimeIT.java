package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.ProcessResult;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.StevedoreProcess;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.TrustedCa;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.storage.Digest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's Java runtime: {@code deploy/docker/jlink-runtime.sh} (the script the Dockerfile runs,
 * with its module list {@code deploy/docker/jlink-modules}) out of the JDK running the tests, and
 * Stevedore on it the way the image starts it ({@code java @jvm.options -jar stevedore.jar}):
 * {@code serve} from a YAML config over TLS with the EC keys of {@code --tls-self-signed} and the
 * process metrics, skopeo pulling through it; {@code export}, {@code bundle ls} and {@code import};
 * {@code warm-up} recording the class-data archive as the Dockerfile does. A module missing from
 * the list fails here, not in a container.
 */
class JlinkRuntimeIT {
  private static final Path REPOSITORY = StevedoreProcess.jar().getParent().getParent().getParent();
  private static final Path JVM_OPTIONS = REPOSITORY.resolve("deploy/jvm/jvm.options");
  private static final TestImage WEB = new TestImages(20).layerSizes(50_000, 100_000).ociIndex();

  @TempDir static Path work;
  private static Path java;
  private static Upstream upstream;

  @BeforeAll
  static void buildRuntime() throws Exception {
    Path runtime = work.resolve("runtime");
    run(
        List.of(
            "sh",
            REPOSITORY.resolve("deploy/docker/jlink-runtime.sh").toString(),
            System.getProperty("java.home"),
            runtime.toString()));
    java = runtime.resolve("bin/java");
    upstream = Upstream.start(Files.createDirectories(work.resolve("upstream")));
    upstream.push("library/web", "1", WEB);
  }

  @AfterAll
  static void stopUpstream() {
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void runtime_hasTheListedModules_notTheOnesLeftOut() throws Exception {
    List<String> modules =
        run(List.of(java.toString(), "--list-modules"))
            .output()
            .lines()
            .map(line -> line.replaceFirst("@.*", ""))
            .toList();
    List<String> listed =
        Files.readAllLines(REPOSITORY.resolve("deploy/docker/jlink-modules")).stream()
            .filter(line -> !line.isBlank() && !line.startsWith("#"))
            .toList();

    assertThat(modules).containsAll(listed).doesNotContain("java.desktop", "java.sql");
  }

  @Test
  void serve_fromConfigOverTls_servesAPullAndProcessMetrics() throws Exception {
    Path data = work.resolve("tls-data");
    Path config = work.resolve("stevedore.yml");
    Files.writeString(
        config, "upstreams:\n  docker.io:\n    url: " + upstream.uri() + "\ntag-ttl: 5m\n");
    try (StevedoreProcess proxy =
        StevedoreProcess.serve(
            java,
            data,
            work.resolve("serve.log"),
            List.of("@" + JVM_OPTIONS),
            List.of("--config", config.toString(), "--tls-self-signed"))) {
      Path certs = Files.createDirectories(work.resolve("certs"));
      Files.copy(StevedoreProcess.caCertificate(data), certs.resolve("ca.crt"));
      Path pulled = work.resolve("pulled");

      new Skopeo(work)
          .run(
              List.of(
                  "copy",
                  "--all",
                  "--preserve-digests",
                  "--src-cert-dir",
                  certs.toString(),
                  "--src-tls-verify=true",
                  "--src-no-creds",
                  "--retry-times",
                  "0",
                  Skopeo.dockerRef(proxy.uri(), "library/web", "1"),
                  "dir:" + pulled))
          .requireSuccess();

      assertThat(Digest.sha256(Files.readAllBytes(pulled.resolve("manifest.json"))).toString())
          .isEqualTo(WEB.digest());
      for (Blob blob : WEB.blobs()) {
        assertThat(pulled.resolve(blob.digest().substring("sha256:".length()))).exists();
      }
      HttpResponse<String> metrics =
          HttpClient.newBuilder()
              .sslContext(TrustedCa.sslContext(certs.resolve("ca.crt")))
              .build()
              .send(
                  HttpRequest.newBuilder(proxy.uri().resolve("/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body())
          .as("com.sun.management, in jdk.management")
          .contains("process_cpu_usage", "process_files_open_files");
      assertThat(proxy.log()).doesNotContain("NoClassDefFoundError", "ClassNotFoundException");
    }
  }

  @Test
  void exportBundleLsImport_runOnTheRuntime() throws Exception {
    Path bundle = work.resolve("bundle.tar");
    URI source = upstream.uri();

    stevedore(
        "export",
        "--data",
        work.resolve("connected").toString(),
        "--upstream",
        "docker.io=" + source,
        "--output",
        bundle.toString(),
        "web:1");
    ProcessResult listing = stevedore("bundle", "ls", bundle.toString());
    ProcessResult imported =
        stevedore("import", "--data", work.resolve("offline").toString(), bundle.toString());

    assertThat(listing.output()).contains("docker.io/library/web:1", WEB.digest());
    assertThat(imported.output()).contains("imported docker.io/library/web:1 (" + WEB.digest());
  }

  @Test
  void classDataSharing_warmUpRecordsTheArchiveTheImageMaps() throws Exception {
    Path archive = work.resolve("stevedore.jsa");

    ProcessResult warmUp = stevedore("warm-up", "--archive", archive.toString(), "--with-config");
    ProcessResult mapped =
        stevedore(
            List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:on", "-Xlog:cds"), "--version");

    assertThat(archive).isNotEmptyFile();
    assertThat(warmUp.output()).doesNotContain("NoClassDefFoundError", "ClassNotFoundException");
    assertThat(mapped.output())
        .as("-Xshare:on fails the JVM if the archive cannot be mapped; it is the only one")
        .contains("Mapped static")
        .doesNotContain("Mapped dynamic");
  }

  /** {@code java @jvm.options -jar stevedore.jar ARGS} on the runtime; it must exit 0. */
  private static ProcessResult stevedore(String... args) throws Exception {
    return stevedore(List.of(), args);
  }

  /** {@code java @jvm.options JVM_OPTIONS -jar stevedore.jar ARGS} on the runtime; exit 0. */
  private static ProcessResult stevedore(List<String> jvmOptions, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(java.toString(), "@" + JVM_OPTIONS));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", StevedoreProcess.jar().toString()));
    command.addAll(List.of(args));
    return run(command);
  }

  private static ProcessResult run(List<String> command) throws Exception {
    Path log = Files.createTempFile(work, "run-", ".log");
    return ProcessResult.run(command, work, log, Duration.ofMinutes(3), env -> {}).requireSuccess();
  }
}
