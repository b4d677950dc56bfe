package dev.stevedore.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

  @Test
  void parse_hostAndPort_keepsBoth() {
    assertThat(HostPort.parse("127.0.0.1:5000")).isEqualTo(new HostPort("127.0.0.1", 5000));
  }

  @Test
  void parse_hostName_isKept() {
    assertThat(HostPort.parse("localhost:8080")).isEqualTo(new HostPort("localhost", 8080));
  }

  @Test
  void parse_portOnly_listensOnAllInterfaces() {
    assertThat(HostPort.parse(":5000")).isEqualTo(new HostPort("0.0.0.0", 5000));
  }

  @Test
  void parse_bracketedIpv6_dropsBrackets() {
    assertThat(HostPort.parse("[::1]:5000")).isEqualTo(new HostPort("::1", 5000));
  }

  @Test
  void parse_portZero_isAllowed() {
    assertThat(HostPort.parse("127.0.0.1:0").port()).isZero();
  }

  @Test
  void parse_highestPort_isAllowed() {
    assertThat(HostPort.parse("127.0.0.1:65535").port()).isEqualTo(65535);
  }

  @Test
  void parse_surroundingWhitespace_isIgnored() {
    assertThat(HostPort.parse(" 127.0.0.1:5000 ")).isEqualTo(new HostPort("127.0.0.1", 5000));
  }

  @Test
  void toString_ipv6_isBracketed() {
    assertThat(new HostPort("::1", 5000)).hasToString("[::1]:5000");
  }

  @Test
  void toString_ipv4_isHostColonPort() {
    assertThat(new HostPort("0.0.0.0", 5000)).hasToString("0.0.0.0:5000");
  }

  @Test
  void toString_parsed_roundTrips() {
    for (String text : new String[] {"127.0.0.1:5000", "[::1]:5001", "example.com:443"}) {
      assertThat(HostPort.parse(text)).hasToString(text);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"localhost", "localhost:", "localhost:http", "localhost:5000x", ":", "[::1]"})
  void parse_noNumericPort_isConfigExceptionNamingInput(String text) {
    assertThatThrownBy(() -> HostPort.parse(text))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'" + text + "'")
        .hasMessageContaining("HOST:PORT");
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost:65536", "localhost:-1", "localhost:99999"})
  void parse_portOutOfRange_isConfigException(String text) {
    assertThatThrownBy(() -> HostPort.parse(text))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("port")
        .hasMessageContaining("65535");
  }

  @ParameterizedTest
  @NullAndEmptySource
  void parse_nullOrEmpty_isConfigException(String text) {
    assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(ConfigException.class);
  }
}
