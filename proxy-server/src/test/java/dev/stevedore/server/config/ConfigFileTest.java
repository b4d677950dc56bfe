package dev.stevedore.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("stevedore.yml"), yaml);
  }

  @Test
  void read_everyKey_isParsed() throws IOException {
    Path file =
        write(
            """
            listen: 127.0.0.1:5001
            data: /var/lib/stevedore
            tag-ttl: 30s
            credentials-file: /etc/stevedore/config.json
            default-upstream: ghcr.io
            connect-timeout: 2s
            request-timeout: 1m
            upstreams:
              docker.io:
                url: https://registry-1.docker.io
                username: me
                password: dckr_pat_x
              ghcr.io:
                url: https://ghcr.io
            """);

    ConfigFile config = ConfigFile.read(file);

    assertThat(config.listen()).isEqualTo("127.0.0.1:5001");
    assertThat(config.data()).isEqualTo("/var/lib/stevedore");
    assertThat(config.tagTtl()).isEqualTo("30s");
    assertThat(config.credentialsFile()).isEqualTo("/etc/stevedore/config.json");
    assertThat(config.defaultUpstream()).isEqualTo("ghcr.io");
    assertThat(config.connectTimeout()).isEqualTo("2s");
    assertThat(config.requestTimeout()).isEqualTo("1m");
    assertThat(config.upstreams()).containsOnlyKeys("docker.io", "ghcr.io");
    assertThat(config.upstreams().get("docker.io"))
        .isEqualTo(
            new ConfigFile.UpstreamEntry("https://registry-1.docker.io", "me", "dckr_pat_x"));
    assertThat(config.upstreams().get("ghcr.io"))
        .isEqualTo(new ConfigFile.UpstreamEntry("https://ghcr.io", null, null));
  }

  @Test
  void read_someKeys_leavesOthersNull() throws IOException {
    ConfigFile config = ConfigFile.read(write("tag-ttl: 1h\n"));

    assertThat(config.tagTtl()).isEqualTo("1h");
    assertThat(config.listen()).isNull();
    assertThat(config.upstreams()).isNull();
  }

  @Test
  void read_numericValue_isReadAsText() throws IOException {
    assertThat(ConfigFile.read(write("data: 42\n")).data()).isEqualTo("42");
  }

  @Test
  void read_unknownKey_namesKeyAndFileOnOneLine() throws IOException {
    Path file = write("listen: :5000\ncolour: blue\n");

    assertThatThrownBy(() -> ConfigFile.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'colour'")
        .hasMessageContaining(file.toString())
        .hasMessageContaining("line ")
        .hasMessageNotContaining("\n");
  }

  @Test
  void read_unknownKeyInUpstream_namesKeyAndFile() throws IOException {
    Path file =
        write(
            """
            upstreams:
              docker.io:
                url: https://registry-1.docker.io
                token: secret
            """);

    assertThatThrownBy(() -> ConfigFile.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'token'")
        .hasMessageContaining(file.toString());
  }

  @Test
  void read_unknownKey_namesTheKeysLine() throws IOException {
    Path top = write("listen: :5000\ncolour: blue\ndata: /srv\n");
    assertThatThrownBy(() -> ConfigFile.read(top)).hasMessageContaining("(line 2)");

    Path nested =
        write(
            """
            upstreams:
              docker.io:
                token: secret
                url: https://registry-1.docker.io
            tag-ttl: 5m
            """);
    assertThatThrownBy(() -> ConfigFile.read(nested)).hasMessageContaining("(line 3)");
  }

  @Test
  void read_misspelledKey_isRejectedNotIgnored() throws IOException {
    Path file = write("tag_ttl: 5m\n");

    assertThatThrownBy(() -> ConfigFile.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'tag_ttl'");
  }

  @Test
  void read_missingFile_saysItDoesNotExist() {
    Path missing = dir.resolve("nope.yml");

    assertThatThrownBy(() -> ConfigFile.read(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void read_directory_isConfigExceptionNamingIt() {
    assertThatThrownBy(() -> ConfigFile.read(dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(dir.toString());
  }

  @Test
  void read_emptyFile_isEmptyConfig() throws IOException {
    assertThat(ConfigFile.read(write(""))).isEqualTo(ConfigFile.EMPTY);
  }

  @Test
  void read_blankFile_isEmptyConfig() throws IOException {
    assertThat(ConfigFile.read(write("  \n\n"))).isEqualTo(ConfigFile.EMPTY);
  }

  @Test
  void read_documentMarkerOnly_isEmptyConfig() throws IOException {
    assertThat(ConfigFile.read(write("---\n"))).isEqualTo(ConfigFile.EMPTY);
  }

  @Test
  void read_commentsOnly_isEmptyConfig() throws IOException {
    assertThat(ConfigFile.read(write("# everything commented out\n# listen: :5000\n")))
        .isEqualTo(ConfigFile.EMPTY);
  }

  @Test
  void read_listWhereTextExpected_isOneLineConfigExceptionNamingFile() throws IOException {
    Path file = write("listen: [unclosed\n");

    assertThatThrownBy(() -> ConfigFile.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString())
        .hasMessageNotContaining("\n");
  }

  @Test
  void read_yamlSyntaxError_isOneLineConfigExceptionNamingFileAndLine() throws IOException {
    Path file = write("listen: a\n  b: c\n");

    assertThatThrownBy(() -> ConfigFile.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("line 2")
        .hasMessageNotContaining("\n");
  }

  @Test
  void read_yamlSyntaxError_isConfigExceptionNamingFile() throws IOException {
    Path file = write("listen: a\n  b: c\n");

    assertThatThrownBy(() -> ConfigFile.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid config file " + file);
  }

  @Test
  void read_topLevelList_isConfigException() throws IOException {
    Path file = write("- listen\n- data\n");

    assertThatThrownBy(() -> ConfigFile.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void read_upstreamsAsList_isConfigException() throws IOException {
    Path file = write("upstreams:\n  - docker.io\n");

    assertThatThrownBy(() -> ConfigFile.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("line 2");
  }

  @Test
  void read_valuesOfTheWrongShape_nameTheKeyAndLine() throws IOException {
    Path bool = write("listen: :5000\noffline: maybe\n");
    assertThatThrownBy(() -> ConfigFile.read(bool))
        .hasMessage("invalid config file " + bool + " (line 2): 'offline' must be true or false");

    Path number = write("max-connections-per-client: many\n");
    assertThatThrownBy(() -> ConfigFile.read(number))
        .hasMessage(
            "invalid config file "
                + number
                + " (line 1): 'max-connections-per-client' must be a whole number");

    Path list = write("tls:\n  san: cache.lan\n");
    assertThatThrownBy(() -> ConfigFile.read(list))
        .hasMessage("invalid config file " + list + " (line 2): 'san' must be a list");

    Path section = write("store: s3://cache\n");
    assertThatThrownBy(() -> ConfigFile.read(section))
        .hasMessage(
            "invalid config file " + section + " (line 1): store must hold keys and values");

    Path text = write("listen:\n  host: a\n");
    assertThatThrownBy(() -> ConfigFile.read(text))
        .hasMessage("invalid config file " + text + " (line 2): 'listen' must be a single value");
  }

  @Test
  void read_yamlScalars_nullsBooleansNumbersQuotes() throws IOException {
    ConfigFile config =
        ConfigFile.read(
            write(
                """
                listen: "null"
                data: ~
                offline: TRUE
                max-connections-per-client: 16
                tls:
                  self-signed: false
                  san: [cache.lan, 10.0.0.5]
                access:
                """));

    assertThat(config.listen()).isEqualTo("null");
    assertThat(config.data()).isNull();
    assertThat(config.offline()).isTrue();
    assertThat(config.maxConnectionsPerClient()).isEqualTo(16);
    assertThat(config.tls())
        .isEqualTo(new ConfigFile.TlsEntry(null, null, false, List.of("cache.lan", "10.0.0.5")));
    assertThat(config.access()).isNull();
  }

  @Test
  void read_anchorsAndAliases_areFollowed() throws IOException {
    ConfigFile config =
        ConfigFile.read(
            write(
                """
                upstreams:
                  docker.io: &hub
                    url: https://registry-1.docker.io
                    max-connections: 4
                  mirror.lan: *hub
                """));

    assertThat(config.upstreams().get("mirror.lan")).isEqualTo(config.upstreams().get("docker.io"));
    assertThat(config.upstreams().get("docker.io").maxConnections()).isEqualTo(4);
  }

  @Test
  void read_aBillionLaughs_isRefusedNotExpanded() throws IOException {
    StringBuilder yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (char name = 'b'; name <= 'j'; name++) {
      char previous = (char) (name - 1);
      yaml.append(name).append(": &").append(name).append(" [");
      yaml.append(("*" + previous + ", ").repeat(9)).append('*').append(previous).append("]\n");
    }
    Path file = write(yaml.toString());

    assertThatThrownBy(() -> ConfigFile.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid config file " + file);
  }

  @Test
  void read_deepNesting_isRefusedNotRecursedInto() throws IOException {
    Path file = write("listen: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n");

    assertThatThrownBy(() -> ConfigFile.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid config file " + file);
  }
}
