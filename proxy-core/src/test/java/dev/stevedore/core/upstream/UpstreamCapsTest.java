package dev.stevedore.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class UpstreamCapsTest {

  @Test
  void none_limitsNothing() {
    assertThat(UpstreamCaps.NONE.limits()).isFalse();
    assertThat(UpstreamCaps.NONE.queueTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void withers_setOneCapEach() {
    UpstreamCaps caps =
        UpstreamCaps.NONE
            .withMaxConnections(4)
            .withQueueTimeout(Duration.ofSeconds(3))
            .withMaxQueued(7)
            .withBandwidth(10_000_000);

    assertThat(caps)
        .isEqualTo(
            new UpstreamCaps(
                OptionalInt.of(4), Duration.ofSeconds(3), 7, OptionalLong.of(10_000_000)));
    assertThat(caps.limits()).isTrue();
  }

  @Test
  void invalidCaps_rejected() {
    assertThatThrownBy(() -> UpstreamCaps.NONE.withMaxConnections(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UpstreamCaps.NONE.withBandwidth(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UpstreamCaps.NONE.withQueueTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UpstreamCaps.NONE.withMaxQueued(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void upstreamConfig_keepsCapsThroughWithers() {
    UpstreamCaps caps = UpstreamCaps.NONE.withMaxConnections(2);
    UpstreamConfig config =
        UpstreamConfig.of("docker.io", URI.create("https://registry-1.docker.io"))
            .withCaps(caps)
            .withCredentials(new Credentials("u", "p"))
            .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2));

    assertThat(config.caps()).isEqualTo(caps);
    assertThat(
            new UpstreamConfig(
                    "docker.io",
                    URI.create("https://registry-1.docker.io"),
                    Optional.empty(),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(2))
                .caps())
        .isEqualTo(UpstreamCaps.NONE);
  }
}
