package dev.stevedore.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientKeyTest {

  @Test
  void ipv4_isKeptAsIs() {
    assertThat(ClientKey.of("192.168.1.20")).isEqualTo("192.168.1.20");
  }

  @Test
  void ipv6_isGroupedBySlash64() {
    assertThat(ClientKey.of("2001:db8:0:5:1:2:3:4"))
        .isEqualTo(ClientKey.of("2001:db8::5:ffff:0:0:1"))
        .isEqualTo("20010db800000005::/64");
    assertThat(ClientKey.of("0:0:0:0:0:0:0:1")).isEqualTo(ClientKey.of("::1"));
    assertThat(ClientKey.of("fe80:0:0:0:1:2:3:4%1")).isEqualTo("fe80000000000000::/64");
  }

  @Test
  void anythingElse_isKeptAsIsWithoutALookup() {
    assertThat(ClientKey.of("embedded")).isEqualTo("embedded");
    assertThat(ClientKey.of("local:some-socket")).isEqualTo("local:some-socket");
    assertThat(ClientKey.of("zz:zz")).isEqualTo("zz:zz");
  }
}
