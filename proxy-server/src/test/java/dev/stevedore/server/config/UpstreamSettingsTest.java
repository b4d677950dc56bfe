package dev.stevedore.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamSettingsTest {

  @Test
  void parseFlag_nameEqualsUrl_hasNoCredentials() {
    assertThat(UpstreamSettings.parseFlag("docker.io=https://registry-1.docker.io"))
        .isEqualTo(
            new UpstreamSettings(
                "docker.io", URI.create("https://registry-1.docker.io"), Optional.empty()));
  }

  @Test
  void parseFlag_hostAndPortName_withHttpUrl() {
    UpstreamSettings upstream = UpstreamSettings.parseFlag("127.0.0.1:5001=http://127.0.0.1:5001");

    assertThat(upstream.name()).isEqualTo("127.0.0.1:5001");
    assertThat(upstream.url()).isEqualTo(URI.create("http://127.0.0.1:5001"));
  }

  @Test
  void parseFlag_equalsInUrl_splitsAtFirstEquals() {
    assertThatThrownBy(() -> UpstreamSettings.parseFlag("a.io=https://a.io/?x=y"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'https://a.io/?x=y'")
        .hasMessageContaining("upstream a.io");
  }

  @ParameterizedTest
  @ValueSource(strings = {"docker.io", "=https://registry-1.docker.io", ""})
  void parseFlag_notNameEqualsUrl_explainsTheForm(String flag) {
    assertThatThrownBy(() -> UpstreamSettings.parseFlag(flag))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--upstream")
        .hasMessageContaining("NAME=URL");
  }

  @Test
  void parseFlag_invalidName_isConfigException() {
    assertThatThrownBy(() -> UpstreamSettings.parseFlag("https://x=https://x"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("invalid upstream name");
  }

  @Test
  void parseFlag_ftpUrl_isConfigExceptionNamingUrl() {
    assertThatThrownBy(() -> UpstreamSettings.parseFlag("docker.io=ftp://x"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'ftp://x'")
        .hasMessageContaining("docker.io");
  }

  @Test
  void parseFlag_emptyUrl_isConfigException() {
    assertThatThrownBy(() -> UpstreamSettings.parseFlag("docker.io="))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void parseUrl_trailingSlash_isDropped() {
    assertThat(UpstreamSettings.parseUrl("ghcr.io", "https://ghcr.io/"))
        .isEqualTo(URI.create("https://ghcr.io"));
  }

  @Test
  void parseUrl_port_isKept() {
    assertThat(UpstreamSettings.parseUrl("local", "http://localhost:5001"))
        .isEqualTo(URI.create("http://localhost:5001"));
  }

  @Test
  void parseUrl_ipv6Literal_isKept() {
    assertThat(UpstreamSettings.parseUrl("local", "http://[::1]:5001"))
        .isEqualTo(URI.create("http://[::1]:5001"));
  }

  @Test
  void parseUrl_surroundingWhitespace_isIgnored() {
    assertThat(UpstreamSettings.parseUrl("ghcr.io", " https://ghcr.io "))
        .isEqualTo(URI.create("https://ghcr.io"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ftp://x",
        "registry-1.docker.io",
        "https://",
        "https://ghcr.io/v2",
        "https://ghcr.io?x=1",
        "https://ghcr.io#frag",
        "https://user:pw@ghcr.io",
        "https://ghcr io",
        "file:///etc/passwd"
      })
  void parseUrl_notBareHttpUrl_isConfigException(String url) {
    assertThatThrownBy(() -> UpstreamSettings.parseUrl("x.io", url))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'" + url + "'")
        .hasMessageContaining("upstream x.io")
        .hasMessageContaining("http(s)://host[:port]");
  }

  @ParameterizedTest
  @NullAndEmptySource
  void parseUrl_nullOrEmpty_isConfigException(String url) {
    assertThatThrownBy(() -> UpstreamSettings.parseUrl("x.io", url))
        .isInstanceOf(ConfigException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "docker.io",
        "ghcr.io",
        "127.0.0.1:5001",
        "localhost",
        "my-registry.example.com:443",
        "a"
      })
  void checkName_registryHost_isReturned(String name) {
    assertThat(UpstreamSettings.checkName(name)).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "https://docker.io",
        "docker.io/",
        "-docker.io",
        "docker.io-",
        "a b",
        "docker.io:",
        "host:123456",
        "docker_io"
      })
  void checkName_notRegistryHost_isConfigException(String name) {
    assertThatThrownBy(() -> UpstreamSettings.checkName(name))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'" + name + "'");
  }

  @Test
  void checkName_null_isConfigException() {
    assertThatThrownBy(() -> UpstreamSettings.checkName(null)).isInstanceOf(ConfigException.class);
  }
}
