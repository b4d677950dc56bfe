package dev.stevedore.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.config.ClusterSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code serve}'s cluster flags: parsed by picocli, checked and resolved by the settings. */
class ClusterCommandLineTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  @TempDir Path dir;

  private CommandRun serve(String... flags) {
    List<String> args = new ArrayList<>(List.of("serve", "--data", dir.resolve("data").toString()));
    args.addAll(List.of("--listen", "127.0.0.1:0"));
    args.addAll(List.of(flags));
    return CommandRun.run(args.toArray(String[]::new));
  }

  /** The cluster {@code serve} would join with {@code flags} and {@code env}, parsed as by main. */
  private static Optional<ClusterSettings> cluster(Map<String, String> env, String... flags) {
    CommandLine commandLine = StevedoreCommand.commandLine();
    List<String> args = new ArrayList<>(List.of("serve"));
    args.addAll(List.of(flags));
    commandLine.parseArgs(args.toArray(String[]::new));
    ServeCommand serve = commandLine.getSubcommands().get("serve").getCommand();
    return serve.settings(env).cluster();
  }

  private Path secret(String content) throws IOException {
    return Files.writeString(dir.resolve("cluster-secret"), content);
  }

  @Test
  void clusterFlags_resolveIntoTheSettings() throws IOException {
    ClusterSettings cluster =
        cluster(
                Map.of("POD_IP", "10.1.2.3"),
                "--store",
                "s3://stevedore/cache",
                "--listen",
                "0.0.0.0:5000",
                "--cluster-secret-file",
                secret(SECRET + "\n").toString(),
                "--advertise",
                "http://stevedore-1.peers:5000")
            .orElseThrow();

    assertThat(cluster)
        .isEqualTo(
            new ClusterSettings(
                SECRET.getBytes(StandardCharsets.US_ASCII),
                URI.create("http://stevedore-1.peers:5000")));
  }

  @Test
  void advertise_defaultsToThePodIpAndTheListenPort() throws IOException {
    ClusterSettings cluster =
        cluster(
                Map.of("POD_IP", "10.1.2.3"),
                "--store",
                "s3://stevedore/cache",
                "--listen",
                "0.0.0.0:5001",
                "--cluster-secret-file",
                secret(SECRET).toString())
            .orElseThrow();

    assertThat(cluster.advertise()).isEqualTo(URI.create("http://10.1.2.3:5001"));
  }

  @Test
  void withoutClusterFlags_thereIsNoCluster() {
    assertThat(cluster(Map.of(), "--store", "s3://stevedore/cache")).isEmpty();
  }

  @Test
  void help_describesTheClusterFlags() {
    CommandRun run = CommandRun.run("serve", "--help");

    assertThat(run.out()).contains("--cluster-secret-file=FILE").contains("--advertise=URL");
  }

  @Test
  void shortSecret_isExit2WithOneLine_neverShowingIt() throws IOException {
    Path file = secret("too-short-secret\n");

    CommandRun run = serve("--store", "s3://cache", "--cluster-secret-file", file.toString());

    assertThat(run.exitCode()).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(run.err().strip())
        .isEqualTo(
            "stevedore: cluster-secret-file: "
                + file
                + " holds 16 bytes; the cluster secret needs at least 32 (e.g. openssl rand -hex"
                + " 32 > FILE)")
        .doesNotContain("too-short-secret");
  }

  @Test
  void secretWithoutStore_isExit2WithOneLine() throws IOException {
    CommandRun run = serve("--cluster-secret-file", secret(SECRET).toString());

    assertThat(run.exitCode()).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(run.err().strip())
        .startsWith("stevedore: cluster-secret-file needs a store: ")
        .doesNotContain("\n");
  }

  @Test
  void advertiseWithoutSecret_isTheSetupAddress_notACluster() {
    CommandLine commandLine = StevedoreCommand.commandLine();
    commandLine.parseArgs("serve", "--advertise", "http://cache.lan:5000");
    ServeCommand serve = commandLine.getSubcommands().get("serve").getCommand();

    assertThat(serve.settings(Map.of()).cluster()).isEmpty();
    assertThat(serve.settings(Map.of()).advertise()).contains(URI.create("http://cache.lan:5000"));
  }

  @Test
  void advertiseWithoutSecret_isStillChecked() {
    CommandRun run = serve("--advertise", "ftp://cache.lan");

    assertThat(run.exitCode()).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(run.err().strip())
        .startsWith("stevedore: advertise: 'ftp://cache.lan' must be an http")
        .doesNotContain("\n");
  }

  @Test
  void advertiseWithPath_isExit2WithOneLine() throws IOException {
    CommandRun run =
        serve(
            "--store",
            "s3://cache",
            "--cluster-secret-file",
            secret(SECRET).toString(),
            "--advertise",
            "http://10.0.0.5:5000/peer");

    assertThat(run.exitCode()).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(run.err().strip())
        .isEqualTo(
            "stevedore: advertise: 'http://10.0.0.5:5000/peer' must be scheme, host and port"
                + " only (no user, path, query or fragment)");
  }
}
