package dev.stevedore.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.cli.StevedoreCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stevedore serve} with bad TLS options: exit code 2 and one line on stderr, before anything
 * listens. (Good options would serve forever, hence the timeout.)
 */
@Timeout(60)
class TlsOptionsTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;

  @BeforeEach
  void captureOutput() {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreOutput() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  private int serve(String... tlsArguments) {
    List<String> arguments =
        new ArrayList<>(
            List.of("serve", "--data", dir.resolve("data").toString(), "--listen", "127.0.0.1:0"));
    arguments.addAll(List.of(tlsArguments));
    return StevedoreCommand.run(arguments.toArray(String[]::new));
  }

  /** Exit 2 and exactly one line {@code stevedore: ...} holding {@code expected}. */
  private void assertRefused(int code, String expected) {
    String stderr = err.toString(StandardCharsets.UTF_8);
    assertThat(code).as(stderr).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(stderr.lines()).as(stderr).hasSize(1);
    assertThat(stderr)
        .startsWith("stevedore: ")
        .contains(expected)
        .doesNotContain("\tat ")
        .doesNotContain("Exception");
  }

  private Path certificate(KeyPair keys) {
    return TestCertificates.write(
        dir.resolve("server.crt"),
        TestCertificates.pem(TestCertificates.selfSigned("server", keys)));
  }

  private Path key(KeyPair keys) {
    return TestCertificates.write(
        dir.resolve("server.key"), TestCertificates.pkcs8(keys.getPrivate()));
  }

  @Test
  void certWithoutKey_refused() {
    assertRefused(serve("--tls-cert", certificate(TestCertificates.ec()).toString()), "--tls-key");
  }

  @Test
  void keyWithoutCert_refused() {
    assertRefused(serve("--tls-key", key(TestCertificates.ec()).toString()), "--tls-cert");
  }

  @Test
  void selfSignedAndOwnFiles_refused() {
    KeyPair keys = TestCertificates.ec();
    assertRefused(
        serve(
            "--tls-self-signed",
            "--tls-cert",
            certificate(keys).toString(),
            "--tls-key",
            key(keys).toString()),
        "exclude each other");
  }

  @Test
  void sanWithoutSelfSigned_refused() {
    assertRefused(serve("--tls-san", "cache.lan"), "--tls-san applies only to --tls-self-signed");
  }

  @Test
  void invalidSan_refused() {
    assertRefused(serve("--tls-self-signed", "--tls-san", "no spaces"), "invalid --tls-san");
  }

  @Test
  void unreadableFiles_refusedNamingTheFile() {
    Path missing = dir.resolve("missing.crt");
    assertRefused(
        serve("--tls-cert", missing.toString(), "--tls-key", missing.toString()),
        "cannot read certificate " + missing + ": no such file");
  }

  @Test
  void mismatchedFiles_refused() {
    Path certificate = certificate(TestCertificates.ec());
    Path otherKey = key(TestCertificates.ec());
    assertRefused(
        serve("--tls-cert", certificate.toString(), "--tls-key", otherKey.toString()),
        "does not belong to the certificate");
  }

  @Test
  void help_listsTheTlsOptions() {
    assertThat(StevedoreCommand.run("serve", "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("--tls-cert=FILE")
        .contains("--tls-key=FILE")
        .contains("--tls-self-signed")
        .contains("--tls-san=NAME");
  }
}
