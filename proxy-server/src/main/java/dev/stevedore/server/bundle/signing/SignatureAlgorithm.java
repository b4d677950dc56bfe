package dev.stevedore.server.bundle.signing;

import java.security.Key;
import java.security.interfaces.ECKey;
import java.util.Optional;

/**
 * The two signature algorithms a bundle may carry, named in {@code stevedore-bundle.sig} by {@link
 * #id()}. Only these two: small keys that {@code openssl genpkey} makes in one line, and fixed
 * parameters, so there is nothing to negotiate or downgrade.
 */
public enum SignatureAlgorithm {
  ED25519("ed25519", "Ed25519"),
  ECDSA_P256_SHA256("ecdsa-p256-sha256", "SHA256withECDSA");

  private static final int P256_FIELD_BITS = 256;

  private final String id;
  private final String jcaName;

  SignatureAlgorithm(String id, String jcaName) {
    this.id = id;
    this.jcaName = jcaName;
  }

  /** The name in {@code stevedore-bundle.sig}. */
  public String id() {
    return id;
  }

  /** The JDK's name for it ({@link java.security.Signature#getInstance(String)}). */
  String jcaName() {
    return jcaName;
  }

  /** The algorithm named {@code id} in a signature file; empty for any other name. */
  public static Optional<SignatureAlgorithm> byId(String id) {
    for (SignatureAlgorithm algorithm : values()) {
      if (algorithm.id.equals(id)) {
        return Optional.of(algorithm);
      }
    }
    return Optional.empty();
  }

  /**
   * The algorithm a key signs with: Ed25519, or ECDSA with SHA-256 for a P-256 key (checked by its
   * named curve in the key's encoding); empty for any other key.
   */
  public static Optional<SignatureAlgorithm> of(Key key) {
    String algorithm = key.getAlgorithm();
    if ("Ed25519".equalsIgnoreCase(algorithm)
        || ("EdDSA".equalsIgnoreCase(algorithm) && KeyEncodings.isEd25519(key))) {
      return Optional.of(ED25519);
    }
    if (key instanceof ECKey ec
        && ec.getParams().getCurve().getField().getFieldSize() == P256_FIELD_BITS
        && KeyEncodings.isP256(key)) {
      return Optional.of(ECDSA_P256_SHA256);
    }
    return Optional.empty();
  }
}
