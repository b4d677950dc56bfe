package dev.stevedore.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.server.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --tls-cert} / {@code --tls-key} files as users bring them. */
class PemLoadingTest {
  private static final KeyPair RSA = TestCertificates.rsa();
  private static final KeyPair EC = TestCertificates.ec();

  @TempDir Path dir;

  private Path file(String name, String content) {
    return TestCertificates.write(dir.resolve(name), content);
  }

  private Path certificateOf(KeyPair keys) {
    return file("server.crt", TestCertificates.pem(TestCertificates.selfSigned("server", keys)));
  }

  @Test
  void rsaKey_pkcs1_loadsAndBuildsContext() throws Exception {
    Path key = file("server.key", TestCertificates.pem(RSA.getPrivate()));
    assertThat(Files.readString(key)).startsWith("-----BEGIN RSA PRIVATE KEY-----");

    ServerIdentity identity = TlsOptions.load(certificateOf(RSA), key);

    assertThat(identity.key().getAlgorithm()).isEqualTo("RSA");
    assertThat(identity.sslContext().isServer()).isTrue();
  }

  @Test
  void rsaKey_pkcs8_loads() throws Exception {
    Path key = file("server.key", TestCertificates.pkcs8(RSA.getPrivate()));
    assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");

    ServerIdentity identity = TlsOptions.load(certificateOf(RSA), key);

    assertThat(identity.certificate().getPublicKey()).isEqualTo(RSA.getPublic());
    assertThat(identity.sslContext().isServer()).isTrue();
  }

  @Test
  void ecKey_sec1_loads() throws Exception {
    Path key = file("server.key", TestCertificates.sec1(EC.getPrivate()));
    assertThat(Files.readString(key)).startsWith("-----BEGIN EC PRIVATE KEY-----");

    ServerIdentity identity = TlsOptions.load(certificateOf(EC), key);

    assertThat(identity.key().getAlgorithm()).isEqualTo("EC");
    assertThat(identity.sslContext().isServer()).isTrue();
  }

  @Test
  void ecKey_pkcs8_loads() throws Exception {
    Path key = file("server.key", TestCertificates.pkcs8(EC.getPrivate()));

    assertThat(TlsOptions.load(certificateOf(EC), key).key().getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void chain_leafThenIntermediate_keepsOrder() throws Exception {
    KeyPair intermediateKeys = TestCertificates.ec();
    X509Certificate intermediate =
        TestCertificates.certificate(
            "intermediate", intermediateKeys, "root", RSA.getPrivate(), true);
    X509Certificate leaf =
        TestCertificates.certificate(
            "server", EC, "intermediate", intermediateKeys.getPrivate(), false);
    Path chain = file("chain.crt", TestCertificates.pem(leaf, intermediate));
    Path key = file("server.key", TestCertificates.pkcs8(EC.getPrivate()));

    ServerIdentity identity = TlsOptions.load(chain, key);

    assertThat(identity.chain()).containsExactly(leaf, intermediate);
    assertThat(identity.sslContext().isServer()).isTrue();
  }

  @Test
  void combinedFile_keyAndCertificateTogether_eachFound() {
    X509Certificate certificate = TestCertificates.selfSigned("server", EC);
    Path both =
        file(
            "both.pem", TestCertificates.sec1(EC.getPrivate()) + TestCertificates.pem(certificate));

    ServerIdentity identity = TlsOptions.load(both, both);

    assertThat(identity.chain()).containsExactly(certificate);
  }

  @Test
  void opensslGeneratedEcKey_withParametersBlock_loads() throws Exception {
    assertThat(Path.of("/usr/bin/openssl"))
        .as("this test needs openssl (Debian: apt-get install openssl; run-tests does)")
        .isExecutable();
    Path key = dir.resolve("openssl.key");
    Path certificate = dir.resolve("openssl.crt");
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-out", key.toString());
    run(
        "openssl",
        "req",
        "-x509",
        "-new",
        "-key",
        key.toString(),
        "-subj",
        "/CN=registry.test",
        "-days",
        "2",
        "-out",
        certificate.toString());
    assertThat(Files.readString(key)).contains("BEGIN EC PARAMETERS");

    ServerIdentity identity = TlsOptions.load(certificate, key);

    assertThat(identity.sslContext().isServer()).isTrue();
  }

  @Test
  void mismatchedKey_refusedWithOneLine() {
    Path certificate = certificateOf(RSA);
    Path otherKey = file("other.key", TestCertificates.pkcs8(TestCertificates.rsa().getPrivate()));

    assertThatThrownBy(() -> TlsOptions.load(certificate, otherKey))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("does not belong to the certificate")
        .hasMessageContaining(otherKey.toString())
        .hasMessageNotContaining("\n");
  }

  @Test
  void keyOfAnotherAlgorithm_refused() {
    Path certificate = certificateOf(RSA);
    Path ecKey = file("ec.key", TestCertificates.pkcs8(EC.getPrivate()));

    assertThatThrownBy(() -> TlsOptions.load(certificate, ecKey))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("does not belong");
  }

  @Test
  void chainInWrongOrder_refused() {
    KeyPair caKeys = TestCertificates.rsa();
    X509Certificate ca =
        TestCertificates.certificate("ca", caKeys, "ca", caKeys.getPrivate(), true);
    X509Certificate leaf =
        TestCertificates.certificate("server", EC, "ca", caKeys.getPrivate(), false);
    Path chain = file("chain.crt", TestCertificates.pem(ca, leaf));
    Path key = file("server.key", TestCertificates.pkcs8(EC.getPrivate()));

    assertThatThrownBy(() -> TlsOptions.load(chain, key))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("first certificate in the file must be the server's");
  }

  @Test
  void missingFile_saysSo() {
    Path missing = dir.resolve("nope.crt");
    Path key = file("server.key", TestCertificates.pkcs8(EC.getPrivate()));

    assertThatThrownBy(() -> TlsOptions.load(missing, key))
        .isInstanceOf(ConfigException.class)
        .hasMessage("cannot read certificate " + missing + ": no such file");
  }

  @Test
  void certificateFileWithoutCertificate_saysSo() {
    Path notACertificate = file("key-only.pem", TestCertificates.pkcs8(EC.getPrivate()));

    assertThatThrownBy(() -> TlsOptions.load(notACertificate, notACertificate))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("no PEM certificate");
  }

  @Test
  void keyFileWithoutKey_saysSo() {
    Path certificate = certificateOf(EC);

    assertThatThrownBy(() -> TlsOptions.load(certificate, certificate))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("no PEM private key");
  }

  @Test
  void encryptedKey_refusedWithAdvice() {
    Path certificate = certificateOf(RSA);
    Path encrypted =
        file(
            "encrypted.key",
            """
            -----BEGIN RSA PRIVATE KEY-----
            Proc-Type: 4,ENCRYPTED
            DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF

            AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
            -----END RSA PRIVATE KEY-----
            """);

    assertThatThrownBy(() -> TlsOptions.load(certificate, encrypted))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("is encrypted");
  }

  @Test
  void garbageInsidePemBlock_refused() {
    Path garbage =
        file(
            "garbage.crt",
            "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
    Path key = file("server.key", TestCertificates.pkcs8(EC.getPrivate()));

    assertThatThrownBy(() -> TlsOptions.load(garbage, key))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(garbage.toString());
  }

  @Test
  void keyMatching_worksForEveryKind() {
    assertThat(ServerIdentity.matches(RSA.getPrivate(), RSA.getPublic())).isTrue();
    assertThat(ServerIdentity.matches(EC.getPrivate(), EC.getPublic())).isTrue();
    assertThat(ServerIdentity.matches(EC.getPrivate(), TestCertificates.ec().getPublic()))
        .isFalse();
    assertThat(ServerIdentity.matches(RSA.getPrivate(), EC.getPublic())).isFalse();
    assertThatThrownBy(() -> new ServerIdentity(RSA.getPrivate(), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }
}
