package dev.stevedore.server.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Objects;

/**
 * What a client needs to trust this server: the certificate to install as a trust anchor (the local
 * CA of {@code --tls-self-signed}, else the last certificate of the served chain), and the pin of
 * the server's public key for a first fetch before that anchor is installed.
 *
 * @param anchor the certificate clients install
 * @param selfSigned whether the anchor is Stevedore's own CA, which no client trusts yet
 * @param publicKeyPin curl's {@code --pinnedpubkey} form: {@code sha256//BASE64} of the leaf's
 *     SubjectPublicKeyInfo
 */
public record ClientTrust(X509Certificate anchor, boolean selfSigned, String publicKeyPin) {

  public ClientTrust {
    Objects.requireNonNull(anchor, "anchor");
    Objects.requireNonNull(publicKeyPin, "publicKeyPin");
  }

  /** The trust of a server proving itself with {@code identity}, anchored at {@code anchor}. */
  static ClientTrust of(ServerIdentity identity, X509Certificate anchor, boolean selfSigned) {
    return new ClientTrust(anchor, selfSigned, pin(identity.certificate()));
  }

  /** The trust of a server with a certificate of the user's: anchored at the chain's last. */
  static ClientTrust ofChain(ServerIdentity identity) {
    return of(identity, identity.chain().get(identity.chain().size() - 1), false);
  }

  /** The anchor as PEM text. */
  public String anchorPem() {
    return PemFiles.pem(anchor);
  }

  private static String pin(X509Certificate leaf) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(leaf.getPublicKey().getEncoded());
      return "sha256//" + Base64.getEncoder().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
