package dev.stevedore.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.server.cli.StevedoreCommand;
import dev.stevedore.server.containerd.HostsToml;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hosts.toml examples are exactly what {@code stevedore containerd-config} writes (below a
 * header of comments saying where they go and the command that wrote them), and they all point at
 * the Service in deploy/kubernetes.
 */
class ContainerdExamplesTest {

  private static final Pattern GOES_IN = Pattern.compile("^# Goes in (\\S+)", Pattern.MULTILINE);
  private static final Pattern WRITTEN_BY =
      Pattern.compile("^#   (stevedore containerd-config .*)$", Pattern.MULTILINE);
  private static final Pattern HOST =
      Pattern.compile("^\\[host\\.\"([^\"]+)\"\\]$", Pattern.MULTILINE);

  /** The Service's in-cluster address, as the examples name it. */
  static String serviceMirror() {
    JsonNode service = DeployFiles.kubernetesObject("service.yaml", "Service");
    return "http://"
        + service.at("/metadata/name").asText()
        + "."
        + service.at("/metadata/namespace").asText()
        + ".svc:"
        + service.at("/spec/ports/0/port").asInt();
  }

  @ParameterizedTest
  @CsvSource({
    "plain/docker.io/hosts.toml, /etc/containerd/certs.d",
    "microk8s/docker.io/hosts.toml, /var/snap/microk8s/current/args/certs.d"
  })
  void hostsToml_isWhatContainerdConfigWritesBelowItsHeader(
      String example, String certsDir, @TempDir Path tmp) throws Exception {
    String text = DeployFiles.read(DeployFiles.CONTAINERD.resolve(example));
    List<String> command = writtenBy(text);
    String registry = Path.of(example).getParent().getFileName().toString();

    assertThat(option(command, "--out")).isEqualTo(certsDir);
    assertThat(goesIn(text)).isEqualTo(certsDir + "/" + registry + "/hosts.toml");
    String written = run(command, tmp).resolve(registry).resolve("hosts.toml").toString();
    String generated = Files.readString(Path.of(written));
    assertThat(text).endsWith(generated);
    assertThat(text.substring(0, text.length() - generated.length()).lines())
        .as("the header above the generated file")
        .allMatch(line -> line.startsWith("#"));
    assertThat(generated)
        .isEqualTo(
            HostsToml.of(registry, URI.create(option(command, "--mirror")), Optional.empty(), false)
                .render());
  }

  @ParameterizedTest
  @CsvSource({"plain/docker.io/hosts.toml", "microk8s/docker.io/hosts.toml"})
  void hostsToml_mirrorIsTheServiceAndTheServerIsTheRegistry(String example) {
    String text = DeployFiles.read(DeployFiles.CONTAINERD.resolve(example));
    Matcher host = HOST.matcher(text);

    assertThat(host.find()).isTrue();
    assertThat(host.group(1)).isEqualTo(serviceMirror());
    assertThat(text).contains("server = \"" + HostsToml.serverFor("docker.io") + "\"");
  }

  @Test
  void configPath_isTheDirectoryThePlainHostsTomlGoesIn() {
    String snippet = DeployFiles.read(DeployFiles.CONTAINERD.resolve("plain/config_path.toml"));
    String hostsToml =
        DeployFiles.read(DeployFiles.CONTAINERD.resolve("plain/docker.io/hosts.toml"));
    List<String> active =
        snippet.lines().filter(line -> !line.strip().startsWith("#") && !line.isBlank()).toList();

    assertThat(active)
        .containsExactly(
            "[plugins.\"io.containerd.grpc.v1.cri\".registry]",
            "  config_path = \"" + option(writtenBy(hostsToml), "--out") + "\"");
    assertThat(goesIn(snippet)).isEqualTo("/etc/containerd/config.toml");
  }

  @Test
  void k3sRegistries_mirrorDockerIoToTheService() {
    Path file = DeployFiles.CONTAINERD.resolve("k3s/registries.yaml");
    JsonNode registries = DeployFiles.yamlDocuments(file).get(0);
    List<String> endpoints = new ArrayList<>();
    registries
        .at("/mirrors/docker.io/endpoint")
        .forEach(endpoint -> endpoints.add(endpoint.asText()));

    assertThat(goesIn(DeployFiles.read(file))).isEqualTo("/etc/rancher/k3s/registries.yaml");
    assertThat(registries.path("mirrors").size()).isEqualTo(1);
    assertThat(endpoints).containsExactly(serviceMirror());
  }

  private static String goesIn(String text) {
    Matcher matcher = GOES_IN.matcher(text);
    assertThat(matcher.find()).as("a '# Goes in <path>' line").isTrue();
    return matcher.group(1);
  }

  private static List<String> writtenBy(String text) {
    Matcher matcher = WRITTEN_BY.matcher(text);
    assertThat(matcher.find()).as("a '#   stevedore containerd-config …' line").isTrue();
    return List.of(matcher.group(1).strip().split("\\s+"));
  }

  private static String option(List<String> command, String name) {
    int at = command.indexOf(name);
    assertThat(at).as(name + " in " + command).isPositive().isLessThan(command.size() - 1);
    return command.get(at + 1);
  }

  /** Runs the header's command with {@code --out} moved to {@code out}; returns {@code out}. */
  private static Path run(List<String> command, Path out) {
    List<String> args = new ArrayList<>(command.subList(1, command.size()));
    args.set(args.indexOf("--out") + 1, out.toString());

    assertThat(StevedoreCommand.run(args.toArray(String[]::new)))
        .as("exit code of " + args)
        .isZero();
    return out;
  }
}
