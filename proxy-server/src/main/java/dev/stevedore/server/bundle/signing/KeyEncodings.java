package dev.stevedore.server.bundle.signing;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * What the DER encodings of keys say: which curve, which key id, and the public half of a private
 * key (a signer names its key by the public key's id, and an {@code openssl genpkey} file holds
 * only the private key). Keys themselves stay JDK keys; Bouncy Castle only reads and derives.
 */
final class KeyEncodings {
  private KeyEncodings() {}

  /**
   * {@code sha256:<hex>} of the key's SubjectPublicKeyInfo DER, as {@code openssl pkey -pubout}.
   */
  static String keyId(PublicKey key) {
    try {
      byte[] der = SubjectPublicKeyInfo.getInstance(key.getEncoded()).getEncoded(ASN1Encoding.DER);
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot encode public key", e);
    }
  }

  static boolean isEd25519(Key key) {
    return algorithm(key)
        .map(id -> id.getAlgorithm().equals(EdECObjectIdentifiers.id_Ed25519))
        .orElse(false);
  }

  static boolean isP256(Key key) {
    return algorithm(key)
        .filter(id -> id.getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey))
        .map(AlgorithmIdentifier::getParameters)
        .map(KeyEncodings::isP256Curve)
        .orElse(false);
  }

  private static boolean isP256Curve(ASN1Encodable parameters) {
    return parameters instanceof ASN1ObjectIdentifier curve
        && curve.equals(SECObjectIdentifiers.secp256r1);
  }

  private static Optional<AlgorithmIdentifier> algorithm(Key key) {
    byte[] encoded = key.getEncoded();
    if (encoded == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          key instanceof PrivateKey
              ? PrivateKeyInfo.getInstance(encoded).getPrivateKeyAlgorithm()
              : SubjectPublicKeyInfo.getInstance(encoded).getAlgorithm());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** A JDK private key from a PKCS#8 structure: Ed25519 or EC; empty for any other kind. */
  static Optional<PrivateKey> privateKey(PrivateKeyInfo info) throws GeneralSecurityException {
    Optional<String> kind = jdkKeyType(info.getPrivateKeyAlgorithm());
    if (kind.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          KeyFactory.getInstance(kind.get())
              .generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded(ASN1Encoding.DER))));
    } catch (IOException e) {
      throw new GeneralSecurityException("cannot encode private key", e);
    }
  }

  /** A JDK public key from a SubjectPublicKeyInfo: Ed25519 or EC; empty for any other kind. */
  static Optional<PublicKey> publicKey(SubjectPublicKeyInfo info) throws GeneralSecurityException {
    Optional<String> kind = jdkKeyType(info.getAlgorithm());
    if (kind.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          KeyFactory.getInstance(kind.get())
              .generatePublic(new X509EncodedKeySpec(info.getEncoded(ASN1Encoding.DER))));
    } catch (IOException e) {
      throw new GeneralSecurityException("cannot encode public key", e);
    }
  }

  private static Optional<String> jdkKeyType(AlgorithmIdentifier algorithm) {
    ASN1ObjectIdentifier id = algorithm.getAlgorithm();
    if (id.equals(EdECObjectIdentifiers.id_Ed25519)) {
      return Optional.of("Ed25519");
    }
    if (id.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      return Optional.of("EC");
    }
    return Optional.empty();
  }

  /** The public half of an Ed25519 or P-256 private key. */
  static PublicKey publicKeyOf(PrivateKey key) throws GeneralSecurityException {
    try {
      AsymmetricKeyParameter parameters = PrivateKeyFactory.createKey(key.getEncoded());
      AsymmetricKeyParameter publicParameters;
      if (parameters instanceof Ed25519PrivateKeyParameters ed) {
        publicParameters = ed.generatePublicKey();
      } else if (parameters instanceof ECPrivateKeyParameters ec) {
        ECDomainParameters domain = ec.getParameters();
        publicParameters =
            new ECPublicKeyParameters(
                new FixedPointCombMultiplier().multiply(domain.getG(), ec.getD()).normalize(),
                domain);
      } else {
        throw new GeneralSecurityException("not an Ed25519 or EC key");
      }
      return publicKey(SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(publicParameters))
          .orElseThrow(() -> new GeneralSecurityException("not an Ed25519 or EC key"));
    } catch (IOException | RuntimeException e) {
      throw new GeneralSecurityException("cannot derive the public key: " + e.getMessage(), e);
    }
  }
}
