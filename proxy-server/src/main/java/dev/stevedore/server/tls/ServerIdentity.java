package dev.stevedore.server.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * What the server proves itself with: a private key and its certificate chain, leaf first. The
 * leaf's public key belongs to the private key (checked by signing and verifying a challenge, so it
 * works the same for RSA, EC and EdDSA keys).
 */
public record ServerIdentity(PrivateKey key, List<X509Certificate> chain) {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  public ServerIdentity {
    Objects.requireNonNull(key, "key");
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a certificate chain needs at least the leaf");
    }
    if (!matches(key, chain.get(0).getPublicKey())) {
      throw new IllegalArgumentException("the private key does not belong to the certificate");
    }
  }

  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** A Netty server context (JDK provider, TLS 1.2 and 1.3; HTTP/1.1 only, so no ALPN). */
  public SslContext sslContext() throws SSLException {
    return SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
        .sslProvider(SslProvider.JDK)
        .protocols(PROTOCOLS)
        .build();
  }

  /** Whether {@code key} is the private half of {@code publicKey}. */
  static boolean matches(PrivateKey key, PublicKey publicKey) {
    if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
      return false;
    }
    Optional<String> algorithm = signatureAlgorithm(key);
    if (algorithm.isEmpty()) {
      return false;
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm.get());
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm.get());
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** The signature algorithm to sign with {@code key}; empty for key types we do not serve. */
  static Optional<String> signatureAlgorithm(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "RSA" -> Optional.of("SHA256withRSA");
      case "EC" -> Optional.of("SHA256withECDSA");
      case "Ed25519", "EdDSA" -> Optional.of("Ed25519");
      default -> Optional.empty();
    };
  }
}
