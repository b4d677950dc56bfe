package dev.stevedore.server.bundle;

import dev.stevedore.server.bundle.signing.BundleSignature;
import dev.stevedore.server.bundle.signing.SignedBytes;
import java.security.PublicKey;
import java.util.List;

/**
 * {@code bundle verify --trust-key}: the bundle's {@code stevedore-bundle.sig} must be a signature
 * by one of the trusted keys over the exact bytes of its {@code index.json} and {@code
 * stevedore-bundle.json}, as the scan read them. It is the same check {@code import --trust-key}
 * makes, so a bundle that passes here is one that import accepts from the same keys.
 */
public final class TrustedSignatureCheck implements BundleVerification.Check {
  private final List<PublicKey> trusted;

  /**
   * @param trusted the keys any of which may have signed the bundle; at least one
   */
  public TrustedSignatureCheck(List<PublicKey> trusted) {
    if (trusted.isEmpty()) {
      throw new IllegalArgumentException("no trusted keys");
    }
    this.trusted = List.copyOf(trusted);
  }

  @Override
  public void check(BundleScan bundle) {
    signer(bundle);
  }

  /**
   * The key id of the trusted key that signed {@code bundle}.
   *
   * @throws BundleException "not trusted: …" if no trusted key signed exactly these bytes
   */
  public String signer(BundleScan bundle) {
    byte[] index =
        bundle.index().orElseThrow(() -> new BundleException("not trusted: it has no index.json"));
    BundleSignature.Verdict verdict =
        BundleSignature.verify(
            SignedBytes.of(index, bundle.recordBytes()), bundle.signature(), trusted);
    if (verdict instanceof BundleSignature.Verdict.Refused refused) {
      throw new BundleException("not trusted: " + refused.reason());
    }
    return ((BundleSignature.Verdict.Trusted) verdict).keyId();
  }
}
