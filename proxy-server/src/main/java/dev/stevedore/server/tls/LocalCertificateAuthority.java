package dev.stevedore.server.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority of one machine: a self-signed CA certificate and its key, which issue the
 * server certificates of {@code --tls-self-signed}. Keys are EC P-256 (small, fast, understood by
 * every container client); signatures SHA-256 with ECDSA.
 */
final class LocalCertificateAuthority {
  /** The CA outlives many server certificates: clients trust it once. */
  static final Duration CA_VALIDITY = Duration.ofDays(10 * 365);

  /** The longest lifetime that every TLS client accepts (Apple's limit for private CAs). */
  static final Duration SERVER_VALIDITY = Duration.ofDays(825);

  /** Clocks of clients may be a little behind. */
  private static final Duration BACKDATE = Duration.ofHours(1);

  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PrivateKey key;
  private final X509Certificate certificate;

  private LocalCertificateAuthority(PrivateKey key, X509Certificate certificate) {
    this.key = key;
    this.certificate = certificate;
  }

  /** A fresh CA named after this machine, valid from (about) {@code now} for ten years. */
  static LocalCertificateAuthority create(String machineName, Instant now) {
    KeyPair pair = newKeyPair();
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "Stevedore")
            .addRDN(
                BCStyle.CN,
                "Stevedore local CA "
                    + machineName
                    + " "
                    + HexFormat.of().toHexDigits(RANDOM.nextInt()))
            .build();
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              serialNumber(),
              Date.from(now.minus(BACKDATE)),
              Date.from(now.plus(CA_VALIDITY)),
              subject,
              pair.getPublic());
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(
              Extension.keyUsage,
              true,
              new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
          .addExtension(
              Extension.subjectKeyIdentifier,
              false,
              extensions.createSubjectKeyIdentifier(pair.getPublic()));
      return new LocalCertificateAuthority(pair.getPrivate(), sign(builder, pair.getPrivate()));
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot create a local CA certificate", e);
    }
  }

  /** An existing CA; the key must belong to the certificate, which must be a CA. */
  static LocalCertificateAuthority of(PrivateKey key, X509Certificate certificate) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(certificate, "certificate");
    if (certificate.getBasicConstraints() < 0) {
      throw new IllegalArgumentException("not a CA certificate");
    }
    if (!ServerIdentity.matches(key, certificate.getPublicKey())) {
      throw new IllegalArgumentException("the CA key does not belong to the CA certificate");
    }
    return new LocalCertificateAuthority(key, certificate);
  }

  PrivateKey key() {
    return key;
  }

  X509Certificate certificate() {
    return certificate;
  }

  /**
   * Issues a server certificate for {@code names} with a fresh key, valid from (about) {@code now}
   * for {@link #SERVER_VALIDITY} but never beyond the CA's own expiry.
   */
  ServerIdentity issueServer(SubjectAltNames names, Instant now) {
    KeyPair pair = newKeyPair();
    Instant notAfter = now.plus(SERVER_VALIDITY);
    Instant caExpiry = certificate.getNotAfter().toInstant();
    if (notAfter.isAfter(caExpiry)) {
      notAfter = caExpiry;
    }
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              certificate,
              serialNumber(),
              Date.from(now.minus(BACKDATE)),
              Date.from(notAfter),
              new X500NameBuilder(BCStyle.INSTANCE)
                  .addRDN(BCStyle.O, "Stevedore")
                  .addRDN(BCStyle.CN, names.commonName())
                  .build(),
              pair.getPublic());
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(
              Extension.extendedKeyUsage,
              false,
              new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
          .addExtension(Extension.subjectAlternativeName, false, names.toGeneralNames())
          .addExtension(
              Extension.subjectKeyIdentifier,
              false,
              extensions.createSubjectKeyIdentifier(pair.getPublic()))
          .addExtension(
              Extension.authorityKeyIdentifier,
              false,
              extensions.createAuthorityKeyIdentifier(certificate));
      return new ServerIdentity(pair.getPrivate(), List.of(sign(builder, key)));
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue a server certificate", e);
    }
  }

  /** Whether this CA signed {@code issued}. */
  boolean signed(X509Certificate issued) {
    if (!issued.getIssuerX500Principal().equals(certificate.getSubjectX500Principal())) {
      return false;
    }
    try {
      PublicKey caKey = certificate.getPublicKey();
      issued.verify(caKey);
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an EC P-256 key", e);
    }
  }

  private static BigInteger serialNumber() {
    return new BigInteger(159, RANDOM).add(BigInteger.ONE);
  }
}
