package dev.stevedore.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The cluster flags and the config file's {@code cluster:} section, resolved into settings. */
class ClusterSettingsResolverTest {
  private static final String SECRET = "s".repeat(32);
  private static final StoreFlags STORE =
      new StoreFlags(
          Optional.of("s3://cache"),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty());

  @TempDir Path dir;

  private static ServeSettingsResolver.Flags flags(Optional<Path> config) {
    return new ServeSettingsResolver.Flags(
        config,
        Optional.of("0.0.0.0:5000"),
        Optional.empty(),
        List.of(),
        Optional.empty(),
        Optional.empty(),
        false,
        Optional.empty(),
        Optional.empty(),
        StoreFlags.NONE,
        ClusterFlags.NONE);
  }

  private static Optional<ClusterSettings> resolve(
      ServeSettingsResolver.Flags flags, Map<String, String> env) {
    return ServeSettingsResolver.resolve(flags, env, () -> "replica-a.lan").cluster();
  }

  private static ClusterFlags cluster(Path secretFile, String advertise) {
    return new ClusterFlags(Optional.ofNullable(secretFile), Optional.ofNullable(advertise));
  }

  private Path secretFile(String content) throws IOException {
    return Files.writeString(dir.resolve("secret"), content);
  }

  @Test
  void withoutSecret_thereIsNoCluster() {
    assertThat(resolve(flags(Optional.empty()).withStore(STORE), Map.of())).isEmpty();
  }

  @Test
  void secretFile_isReadWithoutItsFinalNewline_andAdvertiseDefaultsToThePodIp() throws IOException {
    Path file = secretFile(SECRET + "\n");

    ClusterSettings cluster =
        resolve(
                flags(Optional.empty()).withStore(STORE).withCluster(cluster(file, null)),
                Map.of("POD_IP", "10.1.2.3"))
            .orElseThrow();

    assertThat(cluster.secret()).isEqualTo(SECRET.getBytes(StandardCharsets.US_ASCII));
    assertThat(cluster.advertise()).isEqualTo(URI.create("http://10.1.2.3:5000"));
  }

  @Test
  void advertise_defaultsToTheHostNameWithoutPodIp_andBracketsAnIpv6PodIp() throws IOException {
    ServeSettingsResolver.Flags flags =
        flags(Optional.empty()).withStore(STORE).withCluster(cluster(secretFile(SECRET), null));

    assertThat(resolve(flags, Map.of()).orElseThrow().advertise())
        .isEqualTo(URI.create("http://replica-a.lan:5000"));
    assertThat(resolve(flags, Map.of("POD_IP", "fd00::7")).orElseThrow().advertise())
        .isEqualTo(URI.create("http://[fd00::7]:5000"));
  }

  @Test
  void advertiseFlag_isNormalisedToSchemeHostPort() throws IOException {
    ServeSettingsResolver.Flags flags =
        flags(Optional.empty())
            .withStore(STORE)
            .withCluster(cluster(secretFile(SECRET), "HTTPS://stevedore-0.peers:8443/"));

    assertThat(resolve(flags, Map.of("POD_IP", "10.1.2.3")).orElseThrow().advertise())
        .isEqualTo(URI.create("https://stevedore-0.peers:8443"));
  }

  @Test
  void fileSection_resolves_andFlagsOverrideIt() throws IOException {
    Path fileSecret = Files.writeString(dir.resolve("file-secret"), "f".repeat(40));
    Path config =
        Files.writeString(
            dir.resolve("stevedore.yml"),
            "store:\n  url: s3://cache\ncluster:\n  secret-file: "
                + fileSecret
                + "\n  advertise: http://10.0.0.5:5000\n");

    ClusterSettings fromFile = resolve(flags(Optional.of(config)), Map.of()).orElseThrow();
    ClusterSettings overridden =
        resolve(
                flags(Optional.of(config))
                    .withCluster(cluster(secretFile(SECRET), "http://10.0.0.6:5001")),
                Map.of())
            .orElseThrow();

    assertThat(fromFile)
        .isEqualTo(
            new ClusterSettings(
                "f".repeat(40).getBytes(StandardCharsets.US_ASCII),
                URI.create("http://10.0.0.5:5000")));
    assertThat(overridden)
        .isEqualTo(
            new ClusterSettings(
                SECRET.getBytes(StandardCharsets.US_ASCII), URI.create("http://10.0.0.6:5001")));
  }

  @Test
  void shortSecret_isRefusedNamingTheFileButNotTheContent() throws IOException {
    Path file = secretFile("0123456789abcdef0123456789abcde\n");

    assertThatThrownBy(
            () ->
                resolve(
                    flags(Optional.empty()).withStore(STORE).withCluster(cluster(file, null)),
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("cluster-secret-file: " + file + " holds 31 bytes")
        .hasMessageNotContaining("0123456789abcdef");
  }

  @Test
  void missingSecretFile_isAConfigError() {
    Path file = dir.resolve("absent");

    assertThatThrownBy(
            () ->
                resolve(
                    flags(Optional.empty()).withStore(STORE).withCluster(cluster(file, null)),
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("cluster-secret-file: " + file + " does not exist");
  }

  @Test
  void secretWithoutStore_isAConfigError() throws IOException {
    Path file = secretFile(SECRET);

    assertThatThrownBy(
            () -> resolve(flags(Optional.empty()).withCluster(cluster(file, null)), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("cluster-secret-file needs a store");
  }

  @Test
  void advertiseWithoutSecret_isNoCluster() {
    assertThat(
            resolve(
                flags(Optional.empty())
                    .withStore(STORE)
                    .withCluster(cluster(null, "http://10.0.0.5:5000")),
                Map.of()))
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.5:5000",
        "ftp://10.0.0.5",
        "http://",
        "http://10.0.0.5:5000/peer",
        "http://10.0.0.5:5000?x=1",
        "http://10.0.0.5:5000#x",
        "http://user:pw@10.0.0.5:5000",
        "http://10.0.0.5 :5000",
      })
  void badAdvertise_isAConfigErrorNamingIt(String url) throws IOException {
    ServeSettingsResolver.Flags flags =
        flags(Optional.empty()).withStore(STORE).withCluster(cluster(secretFile(SECRET), url));

    assertThatThrownBy(() -> resolve(flags, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("advertise: ");
  }

  @Test
  void toString_redactsTheSecret() throws IOException {
    ClusterSettings cluster =
        resolve(
                flags(Optional.empty())
                    .withStore(STORE)
                    .withCluster(cluster(secretFile(SECRET), null)),
                Map.of())
            .orElseThrow();

    assertThat(cluster.toString()).doesNotContain(SECRET).contains("redacted");
    assertThat(
            ServeSettingsResolver.resolve(
                    flags(Optional.empty())
                        .withStore(STORE)
                        .withCluster(cluster(secretFile(SECRET), null)),
                    Map.of(),
                    () -> "h")
                .toString())
        .doesNotContain(SECRET);
  }

  @Test
  void secret_isACopy() throws IOException {
    ClusterSettings cluster =
        resolve(
                flags(Optional.empty())
                    .withStore(STORE)
                    .withCluster(cluster(secretFile(SECRET), null)),
                Map.of())
            .orElseThrow();

    cluster.secret()[0] = 'x';

    assertThat(cluster.secret()[0]).isEqualTo((byte) 's');
  }
}
