package dev.stevedore.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Replica-to-replica request signatures: made by the secret, bound to request and time. */
class ClusterAuthTest {
  private static final byte[] SECRET =
      "0123456789abcdef0123456789abcdef-cluster".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OTHER_SECRET =
      "fedcba9876543210fedcba9876543210-cluster".getBytes(StandardCharsets.US_ASCII);
  private static final Instant NOW = Instant.parse("2026-12-03T15:00:00Z");
  private static final String PATH = "/cluster/blobs/sha256:" + "ab".repeat(32) + "?offset=1024";

  private final ClusterAuth auth = new ClusterAuth(SECRET);

  @Test
  void signedRequest_verifies() {
    String header = auth.sign("GET", PATH, NOW);

    assertThat(header).matches("Stevedore-Cluster t=\\d+,s=[0-9a-f]{64}");
    assertThat(header).startsWith("Stevedore-Cluster t=" + NOW.getEpochSecond() + ",s=");
    assertThat(auth.verify(header, "GET", PATH, NOW)).isTrue();
    assertThat(new ClusterAuth(SECRET.clone()).verify(header, "GET", PATH, NOW))
        .as("another replica with the same secret")
        .isTrue();
  }

  @Test
  void wrongSecret_isRefused() {
    String header = new ClusterAuth(OTHER_SECRET).sign("GET", PATH, NOW);

    assertThat(auth.verify(header, "GET", PATH, NOW)).isFalse();
  }

  @Test
  void signatureForAnotherPathOrMethod_isRefused() {
    String header = auth.sign("GET", PATH, NOW);

    assertThat(auth.verify(header, "GET", PATH.replace("offset=1024", "offset=0"), NOW)).isFalse();
    assertThat(auth.verify(header, "GET", "/cluster/blobs/sha256:" + "cd".repeat(32), NOW))
        .isFalse();
    assertThat(auth.verify(header, "HEAD", PATH, NOW)).isFalse();
  }

  @Test
  void clockSkewWithinTheWindow_isAccepted_eitherWay() {
    String header = auth.sign("GET", PATH, NOW);

    assertThat(auth.verify(header, "GET", PATH, NOW.plus(ClusterAuth.WINDOW))).isTrue();
    assertThat(auth.verify(header, "GET", PATH, NOW.minus(ClusterAuth.WINDOW))).isTrue();
    assertThat(auth.verify(header, "GET", PATH, NOW.plusSeconds(7))).isTrue();
  }

  @Test
  void replayOutsideTheWindow_isRefused_eitherWay() {
    String header = auth.sign("GET", PATH, NOW);
    Duration justOutside = ClusterAuth.WINDOW.plusSeconds(1);

    assertThat(auth.verify(header, "GET", PATH, NOW.plus(justOutside))).isFalse();
    assertThat(auth.verify(header, "GET", PATH, NOW.minus(justOutside))).isFalse();
    assertThat(auth.verify(header, "GET", PATH, NOW.plus(Duration.ofDays(1)))).isFalse();
  }

  @Test
  void tamperedTimestamp_isRefused() {
    String header = auth.sign("GET", PATH, NOW);
    String moved = header.replace("t=" + NOW.getEpochSecond(), "t=" + (NOW.getEpochSecond() + 30));

    assertThat(auth.verify(moved, "GET", PATH, NOW)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "Stevedore-Cluster",
        "Stevedore-Cluster ",
        "Basic dXNlcjpwYXNz",
        "Bearer abc",
        "Stevedore-Cluster t=,s=",
        "Stevedore-Cluster s=00,t=1",
        "Stevedore-Cluster t=abc,s=0000000000000000000000000000000000000000000000000000000000000000",
        "Stevedore-Cluster t=-5,s=0000000000000000000000000000000000000000000000000000000000000000",
        "Stevedore-Cluster t=99999999999999999999999,s=0000000000000000000000000000000000000000000000000000000000000000",
        "Stevedore-Cluster t=1764774000,s=zz00000000000000000000000000000000000000000000000000000000000000",
        "Stevedore-Cluster t=1764774000,s=00",
        "Stevedore-Cluster t=1764774000,s=0000000000000000000000000000000000000000000000000000000000000000",
        "Stevedore-Cluster t=1764774000,s=0000000000000000000000000000000000000000000000000000000000000000,x=1",
        "Stevedore-Cluster  t=1764774000,s=0000000000000000000000000000000000000000000000000000000000000000",
        "Stevedore-Cluster t=1764774000\n,s=0000000000000000000000000000000000000000000000000000000000000000",
      })
  void garbageHeaders_areRefusedWithoutAnException(String header) {
    assertThat(auth.verify(header, "GET", PATH, NOW)).isFalse();
  }

  @Test
  void missingOrOversizedHeader_isRefusedWithoutAnException() {
    String header = auth.sign("GET", PATH, NOW);

    assertThat(auth.verify(null, "GET", PATH, NOW)).isFalse();
    assertThat(auth.verify(header + " ".repeat(100_000), "GET", PATH, NOW)).isFalse();
    assertThat(auth.verify("x".repeat(10_000_000), "GET", PATH, NOW)).isFalse();
    assertThat(auth.verify(header, null, PATH, NOW)).isFalse();
    assertThat(auth.verify(header, "GET", null, NOW)).isFalse();
  }

  @Test
  void signatureOfTheOtherCase_isRefused() {
    String header = auth.sign("GET", PATH, NOW);
    String upper =
        header.substring(0, header.indexOf("s=") + 2)
            + header.substring(header.indexOf("s=") + 2).toUpperCase(java.util.Locale.ROOT);

    assertThat(auth.verify(upper, "GET", PATH, NOW)).isFalse();
  }

  @Test
  void shortSecret_isRefused_andNeverShown() {
    assertThatThrownBy(() -> new ClusterAuth(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(auth.toString()).doesNotContain(new String(SECRET, StandardCharsets.US_ASCII));
  }
}
