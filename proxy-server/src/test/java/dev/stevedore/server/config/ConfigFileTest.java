package dev.stevedore.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
