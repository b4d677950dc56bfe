package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.server.it.support.HtpasswdFile;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.ProcessResult;
import dev.stevedore.server.it.support.RawHttpConnection;
import dev.stevedore.server.it.support.SetupScripts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scripts of {@code GET /setup/<kind>}, fetched from a running Stevedore and run by {@code sh}
 * as a node would, but with {@code --root} into a temporary directory: the files each kind writes,
 * a second run changing nothing, Docker's {@code daemon.json} merged with a backup, files of the
 * user's left alone, {@code --dry-run}, {@code --restart}, a Stevedore that does not answer, and
 * {@code Host} headers that try to write into the script. Two upstreams are configured ({@code
 * docker.io}, the default, and {@code ghcr.io}); no upstream is contacted.
 */
class SetupScriptIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path shared;
  @TempDir Path work;
  private static InProcessStevedore proxy;

  @BeforeAll
  static void start() throws Exception {
    proxy = started(shared.resolve("data"));
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private static InProcessStevedore started(Path data, String... flags) throws Exception {
    return InProcessStevedore.on(data)
        .upstream("docker.io", URI.create("http://127.0.0.1:9"))
        .upstream("ghcr.io", URI.create("http://127.0.0.1:9"))
        .flag(flags)
        .start();
  }

  /** {@code 127.0.0.1:PORT}: the address the scripts are fetched from, so the one they name. */
  private static String address() {
    return proxy.uri().getHost() + ":" + proxy.uri().getPort();
  }

  static Stream<Arguments> kinds() {
    return Stream.of(
        Arguments.of("containerd", containerdFiles("etc/containerd/certs.d", "containerd")),
        Arguments.of(
            "microk8s", containerdFiles("var/snap/microk8s/current/args/certs.d", "microk8s")),
        Arguments.of(
            "k3s",
            Map.of(
                "etc/rancher/k3s/registries.yaml",
                """
                # Written by Stevedore's node setup (http://ADDRESS/setup/k3s):
                # pull through Stevedore, falling back to each registry itself.
                mirrors:
                  "docker.io":
                    endpoint:
                      - "http://ADDRESS"
                  "ghcr.io":
                    endpoint:
                      - "http://ADDRESS"
                """)),
        Arguments.of(
            "docker",
            Map.of(
                "etc/docker/daemon.json",
                """
                {
                  "registry-mirrors": ["http://ADDRESS"],
                  "insecure-registries": ["ADDRESS"]
                }
                """)),
        Arguments.of(
            "podman",
            Map.of(
                "etc/containers/registries.conf.d/50-stevedore.conf",
                """
                # Written by Stevedore's node setup (http://ADDRESS/setup/podman):
                # pull through Stevedore, falling back to each registry itself.

                [[registry]]
                prefix = "docker.io"
                location = "docker.io"

                [[registry.mirror]]
                location = "ADDRESS"
                insecure = true

                [[registry]]
                prefix = "ghcr.io"
                location = "ghcr.io"

                [[registry.mirror]]
                location = "ADDRESS/ghcr.io"
                insecure = true
                """)));
  }

  private static Map<String, String> containerdFiles(String certs, String kind) {
    Map<String, String> files = new TreeMap<>();
    for (String registry : List.of("docker.io", "ghcr.io")) {
      files.put(
          certs + "/" + registry + "/hosts.toml",
          """
          # Written by Stevedore's node setup (http://ADDRESS/setup/KIND): pull REGISTRY images \
          through Stevedore, falling back to the registry itself.
          server = "SERVER"

          [host."http://ADDRESS"]
            capabilities = ["pull", "resolve"]
          """
              .replace("KIND", kind)
              .replace("REGISTRY", registry)
              .replace(
                  "SERVER",
                  registry.equals("docker.io")
                      ? "https://registry-1.docker.io"
                      : "https://ghcr.io"));
    }
    if (kind.equals("containerd")) {
      files.put(
          "etc/containerd/config.toml",
          """
          # Written by Stevedore's node setup: containerd's CRI plugin reads registry hosts from certs.d.
          version = 2

          [plugins."io.containerd.grpc.v1.cri".registry]
            config_path = "/etc/containerd/certs.d"
          """);
    }
    return files;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void script_writesItsFiles_andASecondRunChangesNothing(String kind, Map<String, String> expected)
      throws IOException {
    String script = fetch(kind);
    Path root = Files.createDirectories(work.resolve("root"));

    ProcessResult first = run(script, root).requireSuccess();
    Map<String, String> written = files(root);
    ProcessResult second = run(script, root).requireSuccess();

    Map<String, String> wanted = new TreeMap<>();
    expected.forEach((path, text) -> wanted.put(path, text.replace("ADDRESS", address())));
    assertThat(written).isEqualTo(wanted);
    assertThat(first.output()).contains("wrote " + root);
    assertThat(files(root)).as("after the second run").isEqualTo(written);
    assertThat(second.output())
        .contains("nothing changed")
        .doesNotContain("wrote ")
        .doesNotContain("backup");
  }

  @Test
  void docker_mergesIntoTheDaemonJsonThere_keepingEveryKey_withABackup() throws IOException {
    Path root = Files.createDirectories(work.resolve("root"));
    String original =
        """
        {
          "log-driver": "json-file",
          "log-opts": {"max-size": "10m", "labels": "a,b"},
          "registry-mirrors": ["https://mirror.example.com"],
          "insecure-registries": ["10.0.0.1:5000"],
          "live-restore": true,
          "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 64000, "Soft": 64000}}
        }
        """;
    Path daemonJson = write(root.resolve("etc/docker/daemon.json"), original);
    String script = fetch("docker");

    run(script, root).requireSuccess();
    String merged = Files.readString(daemonJson);
    ProcessResult again = run(script, root).requireSuccess();

    JsonNode before = JSON.readTree(original);
    JsonNode after = JSON.readTree(merged);
    before
        .fieldNames()
        .forEachRemaining(
            key -> {
              if (!key.endsWith("-registries") && !key.equals("registry-mirrors")) {
                assertThat(after.get(key)).as(key).isEqualTo(before.get(key));
              }
            });
    assertThat(strings(after.get("registry-mirrors")))
        .containsExactly("http://" + address(), "https://mirror.example.com");
    assertThat(strings(after.get("insecure-registries")))
        .containsExactly(address(), "10.0.0.1:5000");
    assertThat(backups(daemonJson))
        .singleElement()
        .satisfies(b -> assertThat(b).hasContent(original));
    assertThat(Files.readString(daemonJson)).as("after the second run").isEqualTo(merged);
    assertThat(again.output()).contains("nothing changed");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"debug\": tru", "[\"a\"]", "{\"registry-mirrors\": \"x\"}"})
  void docker_refusesADaemonJsonItCannotMerge_changingNothing(String text) throws IOException {
    Path root = Files.createDirectories(work.resolve("root"));
    Path daemonJson = write(root.resolve("etc/docker/daemon.json"), text);

    ProcessResult result = run(fetch("docker"), root);

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains(daemonJson.toString()).contains("nothing was changed");
    assertThat(files(root)).isEqualTo(Map.of("etc/docker/daemon.json", text));
  }

  @Test
  void stevedoreNotAnswering_refusesToRun_andChangesNothing() throws Exception {
    Path root = Files.createDirectories(work.resolve("root"));
    write(root.resolve("etc/containerd/certs.d/docker.io/hosts.toml"), "server = \"x\"\n");
    String script;
    try (InProcessStevedore doomed = started(work.resolve("data"))) {
      script = fetch(doomed.uri(), "containerd");
    }
    Map<String, String> before = files(root);

    ProcessResult result = run(script, root);

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains("does not answer").contains("nothing was changed");
    assertThat(files(root)).isEqualTo(before);
  }

  @Test
  void containerd_setsTheEmptyConfigPathOfAnExistingConfig_changingNoOtherLine()
      throws IOException {
    Path root = Files.createDirectories(work.resolve("root"));
    String original =
        """
        disabled_plugins = []
        version = 2

        [plugins]
          [plugins."io.containerd.grpc.v1.cri"]
            sandbox_image = "registry.k8s.io/pause:3.9"
            [plugins."io.containerd.grpc.v1.cri".registry]
              config_path = ""

              [plugins."io.containerd.grpc.v1.cri".registry.mirrors]
          [plugins."io.containerd.runtime.v1.linux"]
            runtime = "runc"
        """;
    Path config = write(root.resolve("etc/containerd/config.toml"), original);

    ProcessResult result = run(fetch("containerd"), root).requireSuccess();

    assertThat(Files.readString(config))
        .isEqualTo(
            original.replace("config_path = \"\"", "config_path = \"/etc/containerd/certs.d\""));
    assertThat(backups(config)).singleElement().satisfies(b -> assertThat(b).hasContent(original));
    assertThat(result.output()).contains("sudo systemctl restart containerd");
  }

  @Test
  void containerd_leavesAConfigWithMirrorTablesAlone_andSaysWhy() throws IOException {
    Path root = Files.createDirectories(work.resolve("root"));
    String original =
        """
        version = 2
        [plugins."io.containerd.grpc.v1.cri".registry]
          [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
            endpoint = ["https://mirror.example.com"]
        """;
    Path config = write(root.resolve("etc/containerd/config.toml"), original);

    ProcessResult result = run(fetch("containerd"), root).requireSuccess();

    assertThat(config).hasContent(original);
    assertThat(backups(config)).isEmpty();
    assertThat(result.output()).contains("WARNING").contains("mirrors");
    assertThat(root.resolve("etc/containerd/certs.d/docker.io/hosts.toml")).exists();
  }

  @Test
  void k3s_leavesARegistriesYamlOfTheUsersAlone_untilForced() throws IOException {
    Path root = Files.createDirectories(work.resolve("root"));
    String theirs = "configs:\n  \"registry.internal\":\n    auth: {username: u, password: p}\n";
    Path registries = write(root.resolve("etc/rancher/k3s/registries.yaml"), theirs);
    String script = fetch("k3s");

    ProcessResult refused = run(script, root);

    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.output()).contains("holds settings of yours").contains("--force");
    assertThat(files(root)).isEqualTo(Map.of("etc/rancher/k3s/registries.yaml", theirs));

    run(script, root, "--force").requireSuccess();

    assertThat(Files.readString(registries)).contains("Stevedore's node setup");
    assertThat(backups(registries))
        .singleElement()
        .satisfies(b -> assertThat(b).hasContent(theirs));
  }

  @Test
  void dryRun_printsTheFiles_andWritesNothing() throws IOException {
    Path root = Files.createDirectories(work.resolve("root"));

    ProcessResult result = run(fetch("podman"), root, "--dry-run").requireSuccess();

    assertThat(result.output())
        .contains("==> " + root.resolve("etc/containers/registries.conf.d/50-stevedore.conf"))
        .contains("location = \"" + address() + "\"");
    assertThat(files(root)).isEmpty();
  }

  @Test
  void restart_runsTheServicesRestart_onlyWhenAFileChanged() throws IOException {
    Path root = Files.createDirectories(work.resolve("root"));
    Path bin = Files.createDirectories(work.resolve("bin"));
    Path calls = work.resolve("systemctl.calls");
    Path systemctl = write(bin.resolve("systemctl"), "#!/bin/sh\necho \"$*\" >>" + calls + "\n");
    systemctl.toFile().setExecutable(true);
    String script = fetch("k3s");
    Map<String, String> path = Map.of("PATH", bin + ":" + System.getenv("PATH"));

    ProcessResult first = run(script, root, path, "--restart").requireSuccess();
    ProcessResult second = run(script, root, path, "--restart").requireSuccess();
    run(fetch("docker"), root, path).requireSuccess(); // not asked: says how, runs nothing

    assertThat(first.output()).contains("running: systemctl restart k3s");
    assertThat(second.output()).contains("nothing changed");
    assertThat(Files.readAllLines(calls)).containsExactly("restart k3s");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Host: x';touch /tmp/stevedore-pwned;'",
        "Host: cache.lan:5000\"\\n",
        "Host: $(id)",
        "Host: cache.lan:99999",
        "Host: a b",
      })
  void hostThatIsNotAPlainAddress_isRefused_neverWrittenIntoAScript(String hostLine)
      throws IOException {
    String request =
        "GET /setup/containerd HTTP/1.1\r\n" + hostLine + "\r\nConnection: close\r\n\r\n";
    try (RawHttpConnection connection = RawHttpConnection.open(proxy.uri())) {
      RawHttpConnection.Response response = connection.send(request).read();

      assertThat(response.status()).isEqualTo(400);
      assertThat(response.header("Content-Type")).startsWith("application/json");
      assertThat(response.text()).doesNotContain("#!/bin/sh").contains("Host header");
    }
  }

  @Test
  void noHostHeader_isRefused() throws IOException {
    try (RawHttpConnection connection = RawHttpConnection.open(proxy.uri())) {
      RawHttpConnection.Response response =
          connection.send("GET /setup/podman HTTP/1.0\r\n\r\n").read();

      assertThat(response.status()).isEqualTo(400);
    }
  }

  @Test
  void unknownKind_is404_namingTheKinds() throws Exception {
    HttpResponse<String> response = get(proxy.uri(), "/setup/windows");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).contains("containerd, microk8s, k3s, docker, podman");
  }

  @Test
  void index_listsEveryKindsOneLiner() throws Exception {
    HttpResponse<String> response = get(proxy.uri(), "/setup/");

    assertThat(response.statusCode()).isEqualTo(200);
    for (String kind : List.of("containerd", "microk8s", "k3s", "docker", "podman")) {
      assertThat(response.body())
          .contains("curl -fsSL http://" + address() + "/setup/" + kind + " | sudo sh");
    }
  }

  @Test
  void advertise_isTheAddressTheScriptsName_whateverTheHost() throws Exception {
    try (InProcessStevedore advertised =
        started(work.resolve("data"), "--advertise", "http://cache.lan:5000")) {
      HttpResponse<String> script = get(advertised.uri(), "/setup/docker");

      assertThat(script.statusCode()).isEqualTo(200);
      assertThat(script.headers().firstValue("Content-Type"))
          .contains("text/x-shellscript; charset=utf-8");
      assertThat(script.body())
          .contains("STEVEDORE_URL='http://cache.lan:5000'")
          .doesNotContain(advertised.uri().getHost() + ":" + advertised.uri().getPort());
    }
  }

  @Test
  void withHtpasswd_theScriptNeedsNoCredentials_andCarriesNone() throws Exception {
    Path htpasswd = HtpasswdFile.write(work.resolve("htpasswd"), "teacher", "correct horse");
    try (InProcessStevedore guarded =
        started(work.resolve("data"), "--htpasswd", htpasswd.toString())) {
      Path root = Files.createDirectories(work.resolve("root"));
      String script = fetch(guarded.uri(), "containerd");

      run(script, root).requireSuccess(); // /v2/ answers 401: Stevedore is there

      assertThat(script)
          .doesNotContain("teacher")
          .doesNotContain("correct horse")
          .doesNotContain(Files.readString(htpasswd).strip());
      assertThat(files(root)).containsKey("etc/containerd/certs.d/docker.io/hosts.toml");
    }
  }

  private String fetch(String kind) {
    return fetch(proxy.uri(), kind);
  }

  /** Fetches {@code /setup/<kind>} as a node would. */
  private static String fetch(URI server, String kind) {
    return SetupScripts.get(HTTP, server.resolve("/setup/" + kind));
  }

  private static HttpResponse<String> get(URI server, String path)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(server.resolve(path)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private ProcessResult run(String script, Path root, String... options) {
    return run(script, root, Map.of(), options);
  }

  /** {@code sh -s -- --root ROOT OPTIONS...}, as {@code | sudo sh -s -- ...} runs it. */
  private ProcessResult run(
      String script, Path root, Map<String, String> environment, String... options) {
    return new SetupScripts(work).run(script, root, environment, options);
  }

  /** Every file under {@code root} by its relative path, with its text. */
  private static Map<String, String> files(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(path).toString(), Files.readString(path));
      }
    }
    return files;
  }

  private static List<Path> backups(Path file) throws IOException {
    try (Stream<Path> siblings = Files.list(file.getParent())) {
      return siblings
          .filter(
              p -> p.getFileName().toString().startsWith(file.getFileName() + ".stevedore-backup-"))
          .toList();
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(node -> values.add(node.asText()));
    return values;
  }

  private static Path write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }
}
