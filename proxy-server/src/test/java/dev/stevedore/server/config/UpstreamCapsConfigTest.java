package dev.stevedore.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.upstream.Credentials;
import dev.stevedore.core.upstream.UpstreamCaps;
import dev.stevedore.server.config.ServeSettingsResolver.Flags;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-upstream caps in the config file: {@code max-connections}, {@code queue-timeout}, {@code
 * bandwidth}.
 */
class UpstreamCapsConfigTest {

  @TempDir Path dir;

  private Path configFile(String yaml) throws IOException {
    return Files.writeString(dir.resolve("stevedore.yml"), yaml);
  }

  private static Flags flags(Path config, String... upstreamFlags) {
    return new Flags(
        Optional.of(config),
        Optional.empty(),
        Optional.empty(),
        List.of(upstreamFlags),
        Optional.empty(),
        Optional.empty());
  }

  private static UpstreamCaps capsOf(Path config, String upstream) {
    return ServeSettingsResolver.resolve(flags(config), Map.of()).upstreams().get(upstream).caps();
  }

  private Path hubWith(String capsYaml) throws IOException {
    return configFile(
        "upstreams:\n  docker.io:\n    url: https://registry-1.docker.io\n" + capsYaml);
  }

  @Test
  void configFile_readsTheCapKeys() throws IOException {
    Path file = hubWith("    max-connections: 4\n    queue-timeout: 5s\n    bandwidth: 10MB\n");

    ConfigFile.UpstreamEntry entry = ConfigFile.read(file).upstreams().get("docker.io");

    assertThat(entry)
        .isEqualTo(
            new ConfigFile.UpstreamEntry(
                "https://registry-1.docker.io", null, null, 4, "5s", "10MB"));
  }

  @Test
  void configFile_numericBandwidth_isReadAsText() throws IOException {
    Path file = hubWith("    bandwidth: 1000000\n");

    assertThat(ConfigFile.read(file).upstreams().get("docker.io").bandwidth()).isEqualTo("1000000");
  }

  @Test
  void configFile_nonNumericMaxConnections_isConfigException() throws IOException {
    Path file = hubWith("    max-connections: four\n");

    assertThatThrownBy(() -> ConfigFile.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void resolve_allCaps_areApplied() throws IOException {
    Path file = hubWith("    max-connections: 4\n    queue-timeout: 5s\n    bandwidth: 10MB\n");

    assertThat(capsOf(file, "docker.io"))
        .isEqualTo(
            new UpstreamCaps(
                OptionalInt.of(4),
                Duration.ofSeconds(5),
                UpstreamCaps.DEFAULT_MAX_QUEUED,
                OptionalLong.of(10_000_000)));
  }

  @Test
  void resolve_maxConnectionsOnly_defaultQueueTimeoutAndNoBandwidthLimit() throws IOException {
    UpstreamCaps caps = capsOf(hubWith("    max-connections: 2\n"), "docker.io");

    assertThat(caps.maxConnections()).hasValue(2);
    assertThat(caps.queueTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(caps.bytesPerSecond()).isEmpty();
  }

  @Test
  void resolve_bandwidthForms() throws IOException {
    assertThat(capsOf(hubWith("    bandwidth: 10MB/s\n"), "docker.io").bytesPerSecond())
        .hasValue(10_000_000);
    assertThat(capsOf(hubWith("    bandwidth: 512KiB\n"), "docker.io").bytesPerSecond())
        .hasValue(512 * 1024);
    assertThat(capsOf(hubWith("    bandwidth: 1.5 MiB/s\n"), "docker.io").bytesPerSecond())
        .hasValue(1536 * 1024);
    assertThat(capsOf(hubWith("    bandwidth: 250000\n"), "docker.io").bytesPerSecond())
        .hasValue(250_000);
  }

  @Test
  void resolve_noCapKeys_noCaps() throws IOException {
    Path file =
        configFile(
            "upstreams:\n"
                + "  docker.io:\n    url: https://registry-1.docker.io\n    max-connections: 3\n"
                + "  ghcr.io:\n    url: https://ghcr.io\n");

    assertThat(capsOf(file, "ghcr.io")).isEqualTo(UpstreamCaps.NONE);
    assertThat(ServeSettingsResolver.resolve(flags(file), Map.of()).upstreams().get("ghcr.io"))
        .isEqualTo(
            new UpstreamSettings("ghcr.io", URI.create("https://ghcr.io"), Optional.empty()));
  }

  @Test
  void resolve_zeroMaxConnections_isConfigExceptionNamingTheUpstream() throws IOException {
    Path file = hubWith("    max-connections: 0\n");

    assertThatThrownBy(() -> capsOf(file, "docker.io"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("docker.io")
        .hasMessageContaining("max-connections");
  }

  @Test
  void resolve_badBandwidth_isConfigExceptionNamingTheUpstream() throws IOException {
    for (String bad : List.of("fast", "10MB/h", "0", "-5MB")) {
      Path file = hubWith("    bandwidth: \"" + bad + "\"\n");

      assertThatThrownBy(() -> capsOf(file, "docker.io"))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("docker.io")
          .hasMessageContaining("bandwidth");
    }
  }

  @Test
  void resolve_badQueueTimeout_isConfigException() throws IOException {
    Path file = hubWith("    max-connections: 2\n    queue-timeout: soon\n");

    assertThatThrownBy(() -> capsOf(file, "docker.io"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("docker.io")
        .hasMessageContaining("queue-timeout");
  }

  @Test
  void resolve_capsSurviveCredentialsFromEnvironmentAndDockerConfig() throws IOException {
    Path file = hubWith("    max-connections: 4\n");
    Path dockerConfig =
        Files.writeString(
            dir.resolve("config.json"),
            "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\""
                + Base64.getEncoder().encodeToString("user:pass".getBytes(StandardCharsets.UTF_8))
                + "\"}}}");
    Flags withCredentialsFile =
        new Flags(
            Optional.of(file),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            Optional.of(dockerConfig),
            Optional.empty());

    UpstreamSettings fromFile =
        ServeSettingsResolver.resolve(withCredentialsFile, Map.of()).upstreams().get("docker.io");
    UpstreamSettings fromEnv =
        ServeSettingsResolver.resolve(
                flags(file),
                Map.of(
                    ServeSettingsResolver.ENV_USERNAME, "me",
                    ServeSettingsResolver.ENV_TOKEN, "tok"))
            .upstreams()
            .get("docker.io");

    assertThat(fromFile.credentials()).contains(new Credentials("user", "pass"));
    assertThat(fromFile.caps().maxConnections()).hasValue(4);
    assertThat(fromEnv.credentials()).contains(new Credentials("me", "tok"));
    assertThat(fromEnv.caps().maxConnections()).hasValue(4);
  }

  @Test
  void resolve_upstreamFlagReplacingTheUrl_keepsTheCaps() throws IOException {
    Path file = hubWith("    max-connections: 4\n    bandwidth: 1MB\n");

    UpstreamSettings hub =
        ServeSettingsResolver.resolve(flags(file, "docker.io=https://mirror.example.com"), Map.of())
            .upstreams()
            .get("docker.io");

    assertThat(hub.url()).isEqualTo(URI.create("https://mirror.example.com"));
    assertThat(hub.caps().maxConnections()).hasValue(4);
    assertThat(hub.caps().bytesPerSecond()).hasValue(1_000_000);
  }

  @Test
  void upstreamSettings_withoutCaps_hasNone() {
    assertThat(
            new UpstreamSettings(
                    "docker.io", URI.create("https://registry-1.docker.io"), Optional.empty())
                .caps())
        .isEqualTo(UpstreamCaps.NONE);
  }
}
