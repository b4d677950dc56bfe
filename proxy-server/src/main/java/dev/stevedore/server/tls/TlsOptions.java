package dev.stevedore.server.tls;

import dev.stevedore.server.config.ConfigException;
import dev.stevedore.server.config.ServeSettings;
import dev.stevedore.server.config.TlsSettings;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * The TLS options of {@code stevedore serve}: a certificate and key of the user's, or a local CA
 * and server certificate created under {@code DATA/tls/}; neither means plain HTTP.
 */
public final class TlsOptions {
  /**
   * Looked up when first used, not when picocli builds the command line: every command builds this
   * mixin, and the first logger starts logback (420 classes, about 0.2 CPU-seconds), which {@code
   * --help} and the CLI commands do not need.
   */
  private static Logger log() {
    return LoggerFactory.getLogger(TlsOptions.class);
  }

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description =
          "Serve HTTPS with this PEM certificate (the file may hold the chain, leaf first);"
              + " needs --tls-key.")
  Path certificate;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "Unencrypted PEM private key of --tls-cert: PKCS#1 or PKCS#8, RSA or EC.")
  Path key;

  @Option(
      names = "--tls-self-signed",
      description =
          "Serve HTTPS with a certificate of a local CA created once under DATA/tls/;"
              + " clients trust DATA/tls/ca.crt.")
  boolean selfSigned;

  @Option(
      names = "--tls-san",
      paramLabel = "NAME",
      description =
          "A DNS name or IP address clients use to reach this server, added to the"
              + " --tls-self-signed certificate; repeatable (localhost, 127.0.0.1, the host name"
              + " and the listen address are always in).")
  List<String> extraNames = new ArrayList<>();

  /**
   * The server's TLS, or empty for plain HTTP: from the flags when any {@code --tls-*} flag is
   * given, else from the config file's {@code tls:} section. With a self-signed setup this creates
   * or reuses the certificates under {@code DATA/tls/} and logs the path of {@code ca.crt}.
   *
   * @throws ConfigException on conflicting options or unreadable or mismatched files
   */
  public Optional<ServerTls> serverTls(ServeSettings settings) {
    boolean flagged = certificate != null || key != null || selfSigned || !extraNames.isEmpty();
    TlsSettings chosen =
        flagged
            ? new TlsSettings(
                Optional.ofNullable(certificate), Optional.ofNullable(key), selfSigned, extraNames)
            : settings.tls();
    validate(chosen, flagged ? Names.FLAGS : Names.FILE);
    if (chosen.selfSigned()) {
      SelfSignedCertificates certificates = SelfSignedCertificates.inDataDir(settings.dataDir());
      ServerIdentity identity =
          certificates.ensure(
              SubjectAltNames.forServer(
                  settings.listen().host(), SubjectAltNames.localHostName(), chosen.extraNames()));
      log()
          .info(
              "TLS with the local CA {} (clients trust this); certificate for {}",
              certificates.caCertificateFile(),
              SubjectAltNames.of(identity.certificate()).map(Object::toString).orElse("?"));
      return Optional.of(
          new ServerTls(
              context(identity, certificates.caCertificateFile()),
              ClientTrust.of(identity, certificates.caCertificate(), true)));
    }
    if (chosen.certificate().isPresent()) {
      Path certificateFile = chosen.certificate().get();
      ServerIdentity identity = load(certificateFile, chosen.key().orElseThrow());
      Instant expiry = identity.certificate().getNotAfter().toInstant();
      if (expiry.isBefore(Instant.now())) {
        log()
            .warn(
                "the TLS certificate {} expired on {}: clients will refuse it",
                certificateFile,
                expiry);
      }
      log()
          .info(
              "TLS with the certificate {} ({})",
              certificateFile,
              identity.certificate().getSubjectX500Principal().getName());
      return Optional.of(
          new ServerTls(context(identity, certificateFile), ClientTrust.ofChain(identity)));
    }
    return Optional.empty();
  }

  /** How an error names the settings: as the flags or as the config file's keys. */
  private enum Names {
    FLAGS("--tls-cert", "--tls-key", "--tls-self-signed", "--tls-san"),
    FILE("tls.cert", "tls.key", "tls.self-signed", "tls.san");

    final String cert;
    final String key;
    final String selfSigned;
    final String san;

    Names(String cert, String key, String selfSigned, String san) {
      this.cert = cert;
      this.key = key;
      this.selfSigned = selfSigned;
      this.san = san;
    }
  }

  /** Checks the settings go together, before any file is touched. */
  private static void validate(TlsSettings tls, Names names) {
    boolean ownFiles = tls.certificate().isPresent() || tls.key().isPresent();
    if (tls.selfSigned() && ownFiles) {
      throw new ConfigException(
          names.selfSigned
              + " and "
              + names.cert
              + "/"
              + names.key
              + " exclude each other: choose one");
    }
    if (tls.certificate().isPresent() && tls.key().isEmpty()) {
      throw new ConfigException(
          names.cert + " needs " + names.key + " (the certificate's private key)");
    }
    if (tls.key().isPresent() && tls.certificate().isEmpty()) {
      throw new ConfigException(names.key + " needs " + names.cert + " (the key's certificate)");
    }
    if (!tls.extraNames().isEmpty() && !tls.selfSigned()) {
      throw new ConfigException(
          names.san
              + " applies only to "
              + names.selfSigned
              + " (a "
              + names.cert
              + " names its own hosts)");
    }
  }

  /** Reads a certificate chain and its key; a key that is not the leaf's is refused. */
  static ServerIdentity load(Path certificateFile, Path keyFile) {
    List<X509Certificate> chain = PemFiles.readCertificates(certificateFile);
    PrivateKey privateKey = PemFiles.readPrivateKey(keyFile);
    if (ServerIdentity.signatureAlgorithm(privateKey).isEmpty()) {
      throw new ConfigException(
          "unsupported "
              + privateKey.getAlgorithm()
              + " key in "
              + keyFile
              + " (use an RSA or EC key)");
    }
    try {
      return new ServerIdentity(privateKey, chain);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "the key "
              + keyFile
              + " does not belong to the certificate "
              + certificateFile
              + " (the first certificate in the file must be the server's)");
    }
  }

  private static SslContext context(ServerIdentity identity, Path source) {
    try {
      return identity.sslContext();
    } catch (SSLException | IllegalArgumentException e) {
      throw new ConfigException("cannot use " + source + " for TLS: " + e.getMessage(), e);
    }
  }
}
