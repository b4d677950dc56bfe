package dev.stevedore.server.tls;

import dev.stevedore.server.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificates of {@code --tls-self-signed}, kept in one directory ({@code DATA/tls/}):
 *
 * <pre>
 *   ca.crt       the local CA certificate: what clients trust
 *   ca.key       its key (owner-only)
 *   server.crt   the server certificate, signed by the CA
 *   server.key   its key (owner-only)
 * </pre>
 *
 * <p>The CA is created once and kept, so clients trust it once. The server certificate is reused
 * while it was signed by that CA, names exactly the wanted names and is not within {@link
 * #RENEW_BEFORE} of expiring; otherwise a new one is issued (at start).
 */
public final class SelfSignedCertificates {
  private static final Logger log = LoggerFactory.getLogger(SelfSignedCertificates.class);

  /** A server certificate this close to expiry is replaced at start. */
  static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private final Path dir;
  private final Clock clock;

  SelfSignedCertificates(Path dir, Clock clock) {
    this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The certificates under {@code dataDir/tls}. */
  public static SelfSignedCertificates inDataDir(Path dataDir) {
    return new SelfSignedCertificates(dataDir.resolve("tls"), Clock.systemUTC());
  }

  public Path caCertificateFile() {
    return dir.resolve("ca.crt");
  }

  /** The local CA's certificate, once {@link #ensure} made it. */
  X509Certificate caCertificate() {
    return PemFiles.readCertificates(caCertificateFile()).get(0);
  }

  Path caKeyFile() {
    return dir.resolve("ca.key");
  }

  Path serverCertificateFile() {
    return dir.resolve("server.crt");
  }

  Path serverKeyFile() {
    return dir.resolve("server.key");
  }

  /**
   * Creates (once) the CA and a server certificate for {@code names}, or reuses them.
   *
   * @throws ConfigException when the directory cannot be written or the CA files are unusable
   */
  public ServerIdentity ensure(SubjectAltNames names) {
    try {
      Files.createDirectories(dir);
      LocalCertificateAuthority ca = loadOrCreateAuthority();
      Optional<String> stale;
      Optional<ServerIdentity> stored = Optional.empty();
      try {
        stored = readServer();
        stale =
            stored.isEmpty() ? Optional.of("none yet") : whyNotReusable(ca, stored.get(), names);
      } catch (ConfigException | IllegalArgumentException e) {
        stale = Optional.of("the stored one is unusable: " + e.getMessage());
      }
      if (stale.isEmpty()) {
        log.debug("reusing the server certificate {} for {}", serverCertificateFile(), names);
        return stored.orElseThrow();
      }
      ServerIdentity issued = ca.issueServer(names, clock.instant());
      PemFiles.writePrivateKey(serverKeyFile(), issued.key());
      PemFiles.writeCertificate(serverCertificateFile(), issued.certificate());
      log.info(
          "issued a server certificate for {} valid until {} ({}), signed by {}",
          names,
          issued.certificate().getNotAfter().toInstant(),
          stale.get(),
          caCertificateFile());
      return issued;
    } catch (IOException e) {
      throw new ConfigException(
          "cannot write the TLS certificates in " + dir + ": " + PemFiles.describe(e), e);
    }
  }

  private LocalCertificateAuthority loadOrCreateAuthority() throws IOException {
    Path certificateFile = caCertificateFile();
    if (!Files.exists(certificateFile)) {
      // no client can trust a CA whose certificate was never written: a stray key is replaced
      LocalCertificateAuthority created =
          LocalCertificateAuthority.create(machineName(), clock.instant());
      PemFiles.writePrivateKey(caKeyFile(), created.key());
      PemFiles.writeCertificate(certificateFile, created.certificate());
      log.info("created a local certificate authority {}", certificateFile);
      return created;
    }
    if (!Files.exists(caKeyFile())) {
      throw new ConfigException(
          caKeyFile()
              + " is missing: restore it, or delete "
              + certificateFile
              + " to create a new CA (clients must then trust the new one)");
    }
    X509Certificate certificate = PemFiles.readCertificates(certificateFile).get(0);
    PrivateKey key = PemFiles.readPrivateKey(caKeyFile());
    LocalCertificateAuthority ca;
    try {
      ca = LocalCertificateAuthority.of(key, certificate);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("unusable local CA in " + dir + ": " + e.getMessage(), e);
    }
    Instant expiry = certificate.getNotAfter().toInstant();
    if (!expiry.isAfter(clock.instant())) {
      throw new ConfigException(
          "the local CA "
              + certificateFile
              + " expired on "
              + expiry
              + "; delete "
              + dir
              + " to create a new one (clients must then trust the new ca.crt)");
    }
    if (expiry.isBefore(clock.instant().plus(RENEW_BEFORE))) {
      log.warn("the local CA {} expires on {}", certificateFile, expiry);
    }
    return ca;
  }

  /** Empty when {@code stored} can be served again; else the reason why not. */
  private Optional<String> whyNotReusable(
      LocalCertificateAuthority ca, ServerIdentity stored, SubjectAltNames names) {
    X509Certificate certificate = stored.certificate();
    if (!ca.signed(certificate)) {
      return Optional.of("the stored one was not signed by the current CA");
    }
    Optional<SubjectAltNames> storedNames = SubjectAltNames.of(certificate);
    if (storedNames.isEmpty() || !storedNames.get().equals(names)) {
      return Optional.of(
          "the names changed from " + storedNames.map(Object::toString).orElse("none"));
    }
    Instant now = clock.instant();
    if (certificate.getNotBefore().toInstant().isAfter(now)) {
      return Optional.of("the stored one is not valid yet");
    }
    if (certificate.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE))) {
      return Optional.of("the stored one expires on " + certificate.getNotAfter().toInstant());
    }
    return Optional.empty();
  }

  private Optional<ServerIdentity> readServer() {
    if (!Files.exists(serverCertificateFile()) || !Files.exists(serverKeyFile())) {
      return Optional.empty();
    }
    List<X509Certificate> chain = PemFiles.readCertificates(serverCertificateFile());
    PrivateKey key = PemFiles.readPrivateKey(serverKeyFile());
    return Optional.of(new ServerIdentity(key, chain));
  }

  private static String machineName() {
    return SubjectAltNames.localHostName().orElse("localhost");
  }
}
