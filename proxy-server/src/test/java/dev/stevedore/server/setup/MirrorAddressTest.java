package dev.stevedore.server.setup;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MirrorAddressTest {

  @ParameterizedTest
  @CsvSource({
    "cache.lan:5000, http://cache.lan:5000",
    "CACHE.lan, http://cache.lan",
    "10.0.0.7:5000, http://10.0.0.7:5000",
    "[fd00::7]:5000, http://[fd00::7]:5000",
    "' localhost:80 ', http://localhost:80",
  })
  void fromHost_plainAddress_isTheUrl(String host, String url) {
    assertThat(MirrorAddress.fromHost(Optional.of(host), false).map(MirrorAddress::url))
        .contains(url);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "x';touch /tmp/p;'",
        "$(id)",
        "`id`",
        "cache.lan:5000\"",
        "cache.lan:5000\nx",
        "a b",
        "user@cache.lan",
        "cache.lan:0",
        "cache.lan:65536",
        "cache.lan:",
        "-cache.lan",
        "cache.lan/path",
        "[fd00::7",
        "cache.lan:5000:1",
      })
  void fromHost_anythingElse_isNone(String host) {
    assertThat(MirrorAddress.fromHost(Optional.of(host), false)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"https://cache.lan:5443, cache.lan:5443, true", "http://10.0.0.7, 10.0.0.7, false"})
  void ofAdvertisedUrl_keepsSchemeAndAuthority(String url, String authority, boolean tls) {
    MirrorAddress address = MirrorAddress.of(URI.create(url));

    assertThat(address.authority()).isEqualTo(authority);
    assertThat(address.tls()).isEqualTo(tls);
    assertThat(address.url()).isEqualTo(url);
  }
}
