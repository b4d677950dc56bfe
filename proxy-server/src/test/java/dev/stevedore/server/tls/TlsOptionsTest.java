package dev.stevedore.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.cli.CommandRun;
import dev.stevedore.server.cli.StevedoreCommand;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
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

  private CommandRun serve(String... tlsArguments) {
    List<String> arguments =
        new ArrayList<>(
            List.of("serve", "--data", dir.resolve("data").toString(), "--listen", "127.0.0.1:0"));
    arguments.addAll(List.of(tlsArguments));
    return CommandRun.run(arguments.toArray(String[]::new));
  }

  /** Exit 2 and exactly one line {@code stevedore: ...} holding {@code expected}. */
  private static void assertRefused(CommandRun run, String expected) {
    String stderr = run.err();
    assertThat(run.exitCode()).as(stderr).isEqualTo(StevedoreCommand.EXIT_CONFIG);
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

  private String configFile(String yaml) {
    try {
      return java.nio.file.Files.writeString(dir.resolve("stevedore.yml"), yaml).toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void fileCertWithoutKey_refusedNamingTheKeys() {
    String config = configFile("tls:\n  cert: " + certificate(TestCertificates.ec()) + "\n");

    assertRefused(serve("--config", config), "tls.cert needs tls.key");
  }

  @Test
  void fileSelfSignedWithOwnFiles_refusedNamingTheKeys() {
    KeyPair keys = TestCertificates.ec();
    String config =
        configFile(
            "tls:\n  self-signed: true\n  cert: "
                + certificate(keys)
                + "\n  key: "
                + key(keys)
                + "\n");

    assertRefused(serve("--config", config), "tls.self-signed and tls.cert/tls.key exclude");
  }

  @Test
  void fileSanWithoutSelfSigned_refused() {
    String config = configFile("tls:\n  san: [cache.lan]\n");

    assertRefused(serve("--config", config), "tls.san applies only to tls.self-signed");
  }

  @Test
  void tlsFlags_replaceTheFilesWholeSection() {
    KeyPair keys = TestCertificates.ec();
    String config = configFile("tls:\n  self-signed: true\n");

    // with the file's self-signed merged in, this would be "exclude each other"
    assertRefused(
        serve("--config", config, "--tls-cert", certificate(keys).toString()),
        "--tls-cert needs --tls-key");
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
    CommandRun run = CommandRun.run("serve", "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("--tls-cert=FILE")
        .contains("--tls-key=FILE")
        .contains("--tls-self-signed")
        .contains("--tls-san=NAME");
  }
}
