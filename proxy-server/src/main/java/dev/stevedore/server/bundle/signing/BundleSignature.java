package dev.stevedore.server.bundle.signing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The signature file of a bundle, {@code stevedore-bundle.sig}: {@code
 * {"algorithm":"ed25519"|"ecdsa-p256-sha256","keyId":"sha256:<hex>","signature":"<base64>"}}, the
 * key id being the SHA-256 of the signer's SubjectPublicKeyInfo DER (the bytes of its {@code
 * openssl pkey -pubout} PEM), the signature over {@link SignedBytes} (ECDSA signatures in DER).
 *
 * <p>{@link #verify} reads a file from whoever made the bundle: it is bounded, parsed strictly, and
 * every problem is a {@link Verdict.Refused} with a one-line reason, never an exception. The key id
 * only selects which trusted key to check; trust comes from the signature verifying under a key the
 * importer gave.
 */
public final class BundleSignature {
  /** Name of the entry in the bundle. */
  public static final String FILE = "stevedore-bundle.sig";

  /** Far above any signature file of the two algorithms. */
  public static final int MAX_FILE_BYTES = 4096;

  /** An Ed25519 signature is 64 bytes, a DER ECDSA P-256 one at most 72. */
  private static final int MAX_SIGNATURE_BYTES = 256;

  private static final Pattern KEY_ID = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final Set<String> FIELDS = Set.of("algorithm", "keyId", "signature");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private BundleSignature() {}

  /** The outcome of checking a bundle's signature. */
  public sealed interface Verdict {
    /** Signed by the trusted key {@code keyId}, over exactly these bytes. */
    record Trusted(String keyId) implements Verdict {}

    /** Not trusted; {@code reason} is one line, e.g. "it is unsigned". */
    record Refused(String reason) implements Verdict {}
  }

  /** The key id of {@code key}: {@code sha256:<hex of its SubjectPublicKeyInfo DER>}. */
  public static String keyId(PublicKey key) {
    return KeyEncodings.keyId(Objects.requireNonNull(key, "key"));
  }

  /** The key id of the public half of {@code key}, as {@link #sign} names it. */
  public static String keyIdOf(PrivateKey key) {
    try {
      return keyId(KeyEncodings.publicKeyOf(Objects.requireNonNull(key, "key")));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot derive the public key: " + e.getMessage(), e);
    }
  }

  /**
   * Signs {@code signedBytes} with {@code key} (Ed25519 or ECDSA P-256).
   *
   * @return the content of {@value #FILE}
   * @throws IllegalArgumentException for a key of any other kind
   */
  public static byte[] sign(byte[] signedBytes, PrivateKey key) {
    Objects.requireNonNull(signedBytes, "signedBytes");
    Objects.requireNonNull(key, "key");
    SignatureAlgorithm algorithm =
        SignatureAlgorithm.of(key)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "a " + key.getAlgorithm() + " key cannot sign a bundle"));
    try {
      PublicKey publicKey = KeyEncodings.publicKeyOf(key);
      Signature signer = Signature.getInstance(algorithm.jcaName());
      signer.initSign(key);
      signer.update(signedBytes);
      Map<String, String> file = new LinkedHashMap<>();
      file.put("algorithm", algorithm.id());
      file.put("keyId", keyId(publicKey));
      file.put("signature", Base64.getEncoder().encodeToString(signer.sign()));
      return JSON.writeValueAsBytes(file);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
    }
  }

  /**
   * Checks that {@code signatureFile} (empty when the bundle has none) is a valid signature over
   * {@code signedBytes} by one of the {@code trusted} keys.
   */
  public static Verdict verify(
      byte[] signedBytes, Optional<byte[]> signatureFile, List<PublicKey> trusted) {
    Objects.requireNonNull(signedBytes, "signedBytes");
    Objects.requireNonNull(trusted, "trusted");
    if (signatureFile.isEmpty()) {
      return new Verdict.Refused("it is unsigned (it has no " + FILE + ")");
    }
    try {
      return check(signedBytes, signatureFile.get(), trusted);
    } catch (RuntimeException e) { // whatever a hostile file makes a parser or provider throw
      return new Verdict.Refused("its " + FILE + " is invalid");
    }
  }

  private static Verdict check(byte[] signedBytes, byte[] file, List<PublicKey> trusted) {
    if (file.length > MAX_FILE_BYTES) {
      return invalid("it is larger than " + MAX_FILE_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = JSON.readTree(file);
    } catch (IOException e) {
      return invalid("it is not valid JSON");
    }
    if (root == null || !root.isObject() || root.size() != FIELDS.size()) {
      return invalid("it is not an object of algorithm, keyId and signature");
    }
    for (String field : FIELDS) {
      if (!root.path(field).isTextual()) {
        return invalid("it has no text " + field);
      }
    }
    Optional<SignatureAlgorithm> algorithm =
        SignatureAlgorithm.byId(root.get("algorithm").asText());
    if (algorithm.isEmpty()) {
      return invalid("its algorithm is neither ed25519 nor ecdsa-p256-sha256");
    }
    String keyId = root.get("keyId").asText();
    if (!KEY_ID.matcher(keyId).matches()) {
      return invalid("its keyId is not sha256:<64 hex digits>");
    }
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(root.get("signature").asText());
    } catch (IllegalArgumentException e) {
      return invalid("its signature is not base64");
    }
    if (signature.length == 0 || signature.length > MAX_SIGNATURE_BYTES) {
      return invalid("its signature has " + signature.length + " bytes");
    }
    Optional<PublicKey> key =
        trusted.stream().filter(candidate -> keyId(candidate).equals(keyId)).findFirst();
    if (key.isEmpty()) {
      return new Verdict.Refused("it is signed by another key (" + keyId + "), not a trusted one");
    }
    if (!SignatureAlgorithm.of(key.get()).equals(algorithm)) {
      return invalid("its algorithm " + algorithm.get().id() + " is not its key's");
    }
    boolean valid;
    try {
      Signature verifier = Signature.getInstance(algorithm.get().jcaName());
      verifier.initVerify(key.get());
      verifier.update(signedBytes);
      valid = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      valid = false;
    }
    return valid
        ? new Verdict.Trusted(keyId)
        : new Verdict.Refused(
            "its signature by "
                + keyId
                + " does not match (its index.json or stevedore-bundle.json changed after signing)");
  }

  private static Verdict.Refused invalid(String why) {
    return new Verdict.Refused("its " + FILE + " is invalid: " + why);
  }
}
