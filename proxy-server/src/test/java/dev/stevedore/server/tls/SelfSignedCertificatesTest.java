package dev.stevedore.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.server.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --tls-self-signed}: a local CA created once, server certificates reused or renewed. */
class SelfSignedCertificatesTest {
  @TempDir Path data;

  private static final SubjectAltNames NAMES =
      SubjectAltNames.forServer("10.1.2.3", Optional.of("buildhost"), List.of("cache.example.com"));

  private SelfSignedCertificates at(Instant now) {
    return new SelfSignedCertificates(data.resolve("tls"), Clock.fixed(now, ZoneOffset.UTC));
  }

  private SelfSignedCertificates now() {
    return SelfSignedCertificates.inDataDir(data);
  }

  private byte[] read(String name) throws Exception {
    return Files.readAllBytes(data.resolve("tls").resolve(name));
  }

  private X509Certificate ca() {
    return PemFiles.readCertificates(data.resolve("tls/ca.crt")).get(0);
  }

  @Test
  void firstStart_createsCaAndServerCertificate_keysOwnerOnly() throws Exception {
    ServerIdentity identity = now().ensure(NAMES);

    Path tls = data.resolve("tls");
    assertThat(tls.resolve("ca.crt")).exists();
    assertThat(tls.resolve("server.crt")).exists();
    for (String key : List.of("ca.key", "server.key")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve(key))))
          .as(key)
          .isEqualTo("rw-------");
    }
    try (var files = Files.list(tls)) {
      assertThat(files.map(file -> file.getFileName().toString()))
          .containsExactlyInAnyOrder("ca.crt", "ca.key", "server.crt", "server.key");
    }
    X509Certificate ca = ca();
    X509Certificate server = identity.certificate();
    assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(server.getBasicConstraints()).isEqualTo(-1);
    server.verify(ca.getPublicKey());
    assertThat(server.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1"); // serverAuth
    assertThat(SubjectAltNames.of(server).orElseThrow().names())
        .containsExactlyInAnyOrder(
            "localhost",
            "127.0.0.1",
            "0:0:0:0:0:0:0:1",
            "10.1.2.3",
            "buildhost",
            "cache.example.com");
    assertThat(PemFiles.readCertificates(tls.resolve("server.crt"))).containsExactly(server);
    assertThat(identity.sslContext().isServer()).isTrue();
  }

  @Test
  void serverCertificate_hasIpAndDnsEntriesOfTheRightKind() throws Exception {
    X509Certificate server = now().ensure(NAMES).certificate();

    assertThat(server.getSubjectAlternativeNames())
        .contains(List.of(2, "localhost"), List.of(2, "cache.example.com"), List.of(7, "127.0.0.1"))
        .contains(List.of(7, "10.1.2.3"));
  }

  @Test
  void secondStart_sameNames_reusesCaAndServerCertificate() throws Exception {
    now().ensure(NAMES);
    byte[] ca = read("ca.crt");
    byte[] caKey = read("ca.key");
    byte[] server = read("server.crt");

    ServerIdentity again = now().ensure(NAMES);

    assertThat(read("ca.crt")).isEqualTo(ca);
    assertThat(read("ca.key")).isEqualTo(caKey);
    assertThat(read("server.crt")).isEqualTo(server);
    assertThat(again.certificate().getEncoded())
        .isEqualTo(PemFiles.readCertificates(data.resolve("tls/server.crt")).get(0).getEncoded());
  }

  @Test
  void newSan_keepsCa_issuesNewServerCertificate() throws Exception {
    now().ensure(NAMES);
    byte[] ca = read("ca.crt");
    byte[] server = read("server.crt");

    SubjectAltNames more =
        SubjectAltNames.forServer(
            "10.1.2.3", Optional.of("buildhost"), List.of("cache.example.com", "192.168.7.7"));
    ServerIdentity renewed = now().ensure(more);

    assertThat(read("ca.crt")).isEqualTo(ca);
    assertThat(read("server.crt")).isNotEqualTo(server);
    assertThat(SubjectAltNames.of(renewed.certificate())).contains(more);
    renewed.certificate().verify(ca().getPublicKey());
  }

  @Test
  void serverCertificateNearExpiry_renewed_caKept() throws Exception {
    Instant longAgo =
        Instant.now()
            .minus(LocalCertificateAuthority.SERVER_VALIDITY)
            .plus(SelfSignedCertificates.RENEW_BEFORE)
            .minus(Duration.ofDays(1));
    at(longAgo).ensure(NAMES);
    byte[] ca = read("ca.crt");
    X509Certificate old = PemFiles.readCertificates(data.resolve("tls/server.crt")).get(0);

    ServerIdentity renewed = now().ensure(NAMES);

    assertThat(read("ca.crt")).isEqualTo(ca);
    assertThat(renewed.certificate()).isNotEqualTo(old);
    assertThat(renewed.certificate().getNotAfter()).isAfter(old.getNotAfter());
  }

  @Test
  void serverCertificateWellWithinValidity_reused() throws Exception {
    at(Instant.now().minus(Duration.ofDays(100))).ensure(NAMES);
    byte[] server = read("server.crt");

    now().ensure(NAMES);

    assertThat(read("server.crt")).isEqualTo(server);
  }

  @Test
  void damagedServerCertificate_reissued() throws Exception {
    now().ensure(NAMES);
    Files.writeString(data.resolve("tls/server.crt"), "garbage");

    ServerIdentity identity = now().ensure(NAMES);

    identity.certificate().verify(ca().getPublicKey());
    assertThat(PemFiles.readCertificates(data.resolve("tls/server.crt")))
        .containsExactly(identity.certificate());
  }

  @Test
  void serverKeyReplacedByAnother_reissued() throws Exception {
    now().ensure(NAMES);
    Files.writeString(
        data.resolve("tls/server.key"), TestCertificates.pkcs8(TestCertificates.ec().getPrivate()));

    ServerIdentity identity = now().ensure(NAMES);

    assertThat(PemFiles.readPrivateKey(data.resolve("tls/server.key"))).isEqualTo(identity.key());
  }

  @Test
  void caCertificateWithoutKey_refused_nothingReplaced() throws Exception {
    now().ensure(NAMES);
    byte[] ca = read("ca.crt");
    Files.delete(data.resolve("tls/ca.key"));

    assertThatThrownBy(() -> now().ensure(NAMES))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ca.key is missing");
    assertThat(read("ca.crt")).isEqualTo(ca);
  }

  @Test
  void strayCaKeyWithoutCertificate_replacedByNewCa() throws Exception {
    now().ensure(NAMES);
    Files.delete(data.resolve("tls/ca.crt"));

    ServerIdentity identity = now().ensure(NAMES);

    identity.certificate().verify(ca().getPublicKey());
  }

  @Test
  void listenOnWildcard_notInNames_invalidSanRefused() {
    assertThat(SubjectAltNames.forServer("0.0.0.0", Optional.empty(), List.of()).names())
        .containsExactlyInAnyOrder("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1");
    assertThat(SubjectAltNames.forServer("::", Optional.empty(), List.of()).names()).hasSize(3);
    assertThat(
            SubjectAltNames.forServer(
                    "[::1]",
                    Optional.of("Host_With_Underscore"),
                    List.of("[fd00::7]", "*.Cache.Lan"))
                .names())
        .containsExactlyInAnyOrder(
            "localhost", "127.0.0.1", "0:0:0:0:0:0:0:1", "fd00:0:0:0:0:0:0:7", "*.cache.lan");
    assertThatThrownBy(
            () -> SubjectAltNames.forServer("0.0.0.0", Optional.empty(), List.of("bad name")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("invalid --tls-san 'bad name'");
    assertThatThrownBy(
            () -> SubjectAltNames.forServer("0.0.0.0", Optional.empty(), List.of("300.1.1.1")))
        .isInstanceOf(ConfigException.class);
  }
}
