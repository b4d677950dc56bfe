package dev.stevedore.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.server.StevedoreProxy;
import dev.stevedore.server.TimeSource;
import dev.stevedore.server.cli.ServeCommand;
import dev.stevedore.server.cli.StevedoreCommand;
import dev.stevedore.server.config.ClusterFlags;
import dev.stevedore.server.config.ClusterSettingsResolver;
import dev.stevedore.server.config.ConfigFile;
import dev.stevedore.server.config.HostPort;
import dev.stevedore.server.config.ServeSettings;
import dev.stevedore.server.config.ServeSettingsResolver;
import dev.stevedore.server.config.StoreFlags;
import dev.stevedore.storage.AwsChainProperties;
import dev.stevedore.storage.S3TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine.ParseResult;

/** The Deployment and DaemonSet run the server the way the code says it runs. */
class WorkloadAgreesWithServerTest {
  private static final Set<String> PATH_OPTIONS =
      Set.of("--config", "--data", "--credentials-file", "--cluster-secret-file");

  /** The pod IP the tests give the workloads, for the default of {@code --advertise}. */
  private static final String POD_IP = "10.42.0.7";

  static List<Workload> workloads() {
    return Workload.all();
  }

  @ParameterizedTest
  @MethodSource("workloads")
  void args_runServeWithOptionsItHas(Workload workload) {
    List<String> args = workload.args();

    assertThat(workload.container().has("command"))
        .as("the image's ENTRYPOINT runs java -jar")
        .isFalse();
    assertThat(args).first().isEqualTo("serve");
    assertThat(ServeOptions.flagsIn(args))
        .isNotEmpty()
        .allSatisfy(flag -> assertThat(ServeOptions.names()).contains(flag));
    ServeOptions.parse(args);
  }

  @ParameterizedTest
  @MethodSource("workloads")
  void containerPort_isTheDefaultListenPort(Workload workload) {
    JsonNode port = workload.onlyPort();

    assertThat(port.path("containerPort").asInt()).isEqualTo(ServeOptions.DEFAULT_PORT);
  }

  @Test
  void daemonSet_publishesTheListenPortOnTheNode() {
    assertThat(Workload.daemonSet().onlyPort().path("hostPort").asInt())
        .isEqualTo(ServeOptions.DEFAULT_PORT);
  }

  @Test
  void service_forwardsItsPortToTheContainerPort() {
    JsonNode service = DeployFiles.kubernetesObject("service.yaml", "Service");
    JsonNode port = service.at("/spec/ports/0");

    assertThat(service.at("/spec/ports").size()).isEqualTo(1);
    assertThat(port.path("port").asInt()).isEqualTo(ServeOptions.DEFAULT_PORT);
    assertThat(Workload.deployment().containerPort(port.path("targetPort")))
        .isEqualTo(ServeOptions.DEFAULT_PORT);
  }

  @ParameterizedTest
  @MethodSource("workloads")
  void probes_getAnEndpointTheServerAnswersOnTheContainerPort(Workload workload) {
    for (String probe : List.of("readinessProbe", "livenessProbe")) {
      JsonNode httpGet = workload.container().path(probe).path("httpGet");

      assertThat(httpGet.isObject()).as(workload + " " + probe + ".httpGet").isTrue();
      assertThat(ServeOptions.PROBE_PATHS)
          .as(workload + " " + probe + " path")
          .contains(httpGet.path("path").asText());
      assertThat(workload.containerPort(httpGet.path("port"))).isEqualTo(ServeOptions.DEFAULT_PORT);
    }
  }

  @Test
  void configMap_stevedoreYmlIsAValidConfigFile(@TempDir Path tmp) throws Exception {
    JsonNode configMap = DeployFiles.kubernetesObject("configmap.yaml", "ConfigMap");
    Path file =
        Files.writeString(
            tmp.resolve("stevedore.yml"), configMap.at("/data/stevedore.yml").asText());

    ConfigFile config = ConfigFile.read(file);

    assertThat(HostPort.parse(config.listen()).port()).isEqualTo(ServeOptions.DEFAULT_PORT);
    assertThat(config.upstreams()).containsKey(ServeSettingsResolver.DOCKER_HUB);
  }

  @ParameterizedTest
  @MethodSource("workloads")
  void args_resolveAgainstTheMountedFiles(Workload workload, @TempDir Path root) throws Exception {
    MountedFiles.write(workload, root);

    ServeSettings settings = resolve(workload.args(), root);

    int containerPort = workload.onlyPort().path("containerPort").asInt();
    assertThat(settings.listen().port()).isEqualTo(containerPort);
    assertThat(settings.upstreams()).containsKey(settings.defaultUpstream());
    String dataDir =
        ServeOptions.parse(workload.args()).matchedOptionValue("--data", Path.of("")).toString();
    assertThat(settings.dataDir()).isEqualTo(MountedFiles.under(root, dataDir));
    assertThat(workload.mountAt(dataDir)).as("--data is a mounted volume").isPresent();
    if (ServeOptions.parse(workload.args()).hasMatchedOption("--cluster-secret-file")) {
      assertThat(settings.store()).isPresent();
      assertThat(settings.cluster().orElseThrow().advertise())
          .as("--advertise defaults to the pod IP the workload passes, with the container port")
          .isEqualTo(URI.create("http://" + POD_IP + ":" + containerPort));
    }
  }

  @Test
  void probePaths_answer200FromARunningServerWithTheDeploymentsConfig(@TempDir Path root)
      throws Exception {
    Workload deployment = Workload.deployment();
    MountedFiles.write(deployment, root);
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    try (StevedoreProxy proxy = serve(deployment.args(), root)) {
      for (String path : ServeOptions.PROBE_PATHS) {
        URI uri = URI.create("http://127.0.0.1:" + proxy.address().getPort() + path);
        HttpResponse<String> response =
            client.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as("GET " + path).isEqualTo(200);
      }
    }
  }

  /**
   * The scale-out replica, started with its own arguments against a real S3 server on loopback (its
   * bucket and endpoint swapped for the test server's, credentials from the AWS chain as in the
   * pod), is live and ready on the paths its probes get: ready means the store answered.
   */
  @Test
  void scaleOutProbes_answer200FromARunningReplicaWithItsStore(@TempDir Path root)
      throws Exception {
    Workload scaleOut = Workload.scaleOut();
    MountedFiles.write(scaleOut, root);
    S3TestServer s3 = S3TestServer.shared();
    List<String> args = new ArrayList<>(scaleOut.args());
    String bucket = s3.newBucket();
    args.set(args.indexOf("--store") + 1, "s3://" + bucket + "/cache");
    args.set(args.indexOf("--s3-endpoint") + 1, s3.endpoint().toString());
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    try (AwsChainProperties aws = AwsChainProperties.of(s3);
        StevedoreProxy proxy =
            serve(args, root, Map.of(ClusterSettingsResolver.ENV_POD_IP, "127.0.0.1"))) {
      for (String probe : List.of("readinessProbe", "livenessProbe")) {
        String path = scaleOut.container().path(probe).at("/httpGet/path").asText();
        URI uri = URI.create("http://127.0.0.1:" + proxy.address().getPort() + path);
        HttpResponse<String> response =
            client.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(probe + ": GET " + path).isEqualTo(200);
      }
    }
  }

  private static StevedoreProxy serve(List<String> args, Path root) throws Exception {
    return serve(args, root, Map.of());
  }

  /**
   * Starts the real {@code serve} in-process with the workload's arguments, its pod paths moved
   * under {@code root}, plus {@code --listen 127.0.0.1:0 --offline}, with {@code environment}.
   */
  private static StevedoreProxy serve(List<String> args, Path root, Map<String, String> environment)
      throws Exception {
    List<String> local = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      assertThat(arg).as("flags of the workload are written '--flag value'").doesNotContain("=");
      assertThat(arg).as("the test chooses the listen address").isNotEqualTo("--listen");
      local.add(arg);
      if (PATH_OPTIONS.contains(arg)) {
        local.add(MountedFiles.under(root, args.get(++i)).toString());
      }
    }
    local.addAll(List.of("--listen", "127.0.0.1:0", "--offline"));
    ParseResult parsed = StevedoreCommand.commandLine().parseArgs(local.toArray(String[]::new));
    ServeCommand serve = (ServeCommand) parsed.subcommand().commandSpec().userObject();
    return serve.start(new ServeCommand.Surroundings(environment, TimeSource.SYSTEM));
  }

  /**
   * Resolves settings the way {@code serve} does, with pod paths moved under {@code root}; offline.
   */
  private static ServeSettings resolve(List<String> args, Path root) {
    ParseResult serve = ServeOptions.parse(args);
    Optional<Path> config = pathOption(serve, "--config", root);
    Optional<Path> data = pathOption(serve, "--data", root);
    Optional<Path> credentials = pathOption(serve, "--credentials-file", root);
    List<String> upstreams = serve.matchedOptionValue("--upstream", List.of());
    Optional<String> tagTtl = Optional.ofNullable(serve.matchedOptionValue("--tag-ttl", null));
    StoreFlags store =
        new StoreFlags(
            string(serve, "--store"),
            string(serve, "--s3-endpoint"),
            string(serve, "--s3-region"),
            string(serve, "--s3-public-endpoint"),
            Optional.ofNullable(serve.matchedOptionValue("--blob-redirect", null)),
            string(serve, "--max-store-size"));
    ClusterFlags cluster =
        new ClusterFlags(
            pathOption(serve, "--cluster-secret-file", root), string(serve, "--advertise"));
    return ServeSettingsResolver.resolve(
        new ServeSettingsResolver.Flags(
                config, string(serve, "--listen"), data, upstreams, credentials, tagTtl, true)
            .withStore(store)
            .withCluster(cluster),
        Map.of(ClusterSettingsResolver.ENV_POD_IP, POD_IP));
  }

  private static Optional<String> string(ParseResult serve, String name) {
    return Optional.ofNullable(serve.matchedOptionValue(name, null));
  }

  private static Optional<Path> pathOption(ParseResult serve, String name, Path root) {
    Path value = serve.matchedOptionValue(name, null);
    return Optional.ofNullable(value).map(path -> MountedFiles.under(root, path.toString()));
  }
}
