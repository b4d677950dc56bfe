package dev.stevedore.server.bundle.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stevedore.server.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleSignatureTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] INDEX = "{\"schemaVersion\":2,\"manifests\":[]}".getBytes();
  private static final byte[] RECORD = "{\"format\":1}".getBytes();

  @TempDir static Path dir;
  static OpensslKeys.Pair ed;
  static OpensslKeys.Pair ec;
  static OpensslKeys.Pair other;

  @BeforeAll
  static void keys() throws IOException {
    ed = OpensslKeys.ed25519(dir, "ed");
    ec = OpensslKeys.p256(dir, "ec");
    other = OpensslKeys.ed25519(dir, "other");
  }

  private static byte[] signed() {
    return SignedBytes.of(INDEX, Optional.of(RECORD));
  }

  private static PrivateKey privateKey(OpensslKeys.Pair pair) {
    return SigningKeyFiles.readPrivateKey(pair.privateKey());
  }

  private static PublicKey publicKey(OpensslKeys.Pair pair) {
    return SigningKeyFiles.readPublicKey(pair.publicKey());
  }

  private static BundleSignature.Verdict verify(byte[] bytes, byte[] file, PublicKey... trusted) {
    return BundleSignature.verify(bytes, Optional.of(file), List.of(trusted));
  }

  @Test
  void ed25519_signsAndVerifies_withTheKeyIdOfTheOpensslPublicKeyFile() throws Exception {
    byte[] file = BundleSignature.sign(signed(), privateKey(ed));

    ObjectNode json = (ObjectNode) JSON.readTree(file);
    assertThat(json.get("algorithm").asText()).isEqualTo("ed25519");
    assertThat(json.get("keyId").asText()).isEqualTo(spkiSha256(ed.publicKey()));
    assertThat(verify(signed(), file, publicKey(other), publicKey(ed)))
        .isEqualTo(new BundleSignature.Verdict.Trusted(spkiSha256(ed.publicKey())));
  }

  @Test
  void p256_signsAndVerifies_withTheKeyIdOfTheOpensslPublicKeyFile() throws Exception {
    byte[] file = BundleSignature.sign(signed(), privateKey(ec));

    ObjectNode json = (ObjectNode) JSON.readTree(file);
    assertThat(json.get("algorithm").asText()).isEqualTo("ecdsa-p256-sha256");
    assertThat(verify(signed(), file, publicKey(ec)))
        .isEqualTo(new BundleSignature.Verdict.Trusted(spkiSha256(ec.publicKey())));
  }

  @Test
  void oneChangedByte_ofIndexOrRecord_isRefused() {
    for (OpensslKeys.Pair pair : List.of(ed, ec)) {
      byte[] file = BundleSignature.sign(signed(), privateKey(pair));
      for (int at : new int[] {0, INDEX.length - 1, INDEX.length, signed().length - 1}) {
        byte[] changed = signed();
        changed[at] ^= 1;
        assertThat(refusal(verify(changed, file, publicKey(pair)))).contains("does not match");
      }
      assertThat(refusal(verify(INDEX, file, publicKey(pair)))).contains("does not match");
    }
  }

  @Test
  void anotherKey_isRefused_namingTheSignersKeyId() {
    byte[] file = BundleSignature.sign(signed(), privateKey(ed));

    assertThat(refusal(verify(signed(), file, publicKey(other), publicKey(ec))))
        .isEqualTo("it is signed by another key (" + keyId(ed) + "), not a trusted one");
    assertThat(refusal(verify(signed(), file))).contains("another key");
  }

  @Test
  void unsigned_isRefused() {
    assertThat(refusal(BundleSignature.verify(signed(), Optional.empty(), List.of(publicKey(ed)))))
        .isEqualTo("it is unsigned (it has no stevedore-bundle.sig)");
  }

  @Test
  void hostileSignatureFiles_areRefusedWithOneLine_neverThrown() throws Exception {
    ObjectNode good = (ObjectNode) JSON.readTree(BundleSignature.sign(signed(), privateKey(ed)));
    String keyId = good.get("keyId").asText();
    List<String> hostile =
        List.of(
            "",
            "null",
            "[]",
            "\"x\"",
            "{",
            "{\"algorithm\":\"ed25519\"}",
            good.deepCopy().put("algorithm", "rsa").toString(),
            good.deepCopy().put("algorithm", "ecdsa-p256-sha256").toString(),
            good.deepCopy().put("keyId", keyId.toUpperCase()).toString(),
            good.deepCopy().put("keyId", "sha256:../../x").toString(),
            good.deepCopy().put("signature", "!!!").toString(),
            good.deepCopy().put("signature", "").toString(),
            good.deepCopy()
                .put("signature", Base64.getEncoder().encodeToString(new byte[64]))
                .toString(),
            good.deepCopy()
                .put("signature", Base64.getEncoder().encodeToString(new byte[4096]))
                .toString(),
            good.deepCopy().put("extra", "x").toString(),
            good.deepCopy().set("signature", JSON.createArrayNode()).toString(),
            good.toString().replace("{", "{\"keyId\":\"" + keyId + "\","),
            "{\"algorithm\":\"ed25519\",\"keyId\":\""
                + keyId
                + "\",\"signature\":\""
                + "A".repeat(BundleSignature.MAX_FILE_BYTES)
                + "\"}",
            "\u0000\u0001\u0002");
    for (String file : hostile) {
      BundleSignature.Verdict verdict =
          verify(signed(), file.getBytes(StandardCharsets.UTF_8), publicKey(ed));
      assertThat(verdict).as(file).isInstanceOf(BundleSignature.Verdict.Refused.class);
      assertThat(refusal(verdict)).as(file).doesNotContain("\n").hasSizeLessThan(300);
    }
  }

  @Test
  void p256Signature_withMalformedDer_isRefused() throws Exception {
    ObjectNode good = (ObjectNode) JSON.readTree(BundleSignature.sign(signed(), privateKey(ec)));
    byte[] der = Base64.getDecoder().decode(good.get("signature").asText());
    der[1] = (byte) 0x7f; // a length past the end
    good.put("signature", Base64.getEncoder().encodeToString(der));

    assertThat(refusal(verify(signed(), good.toString().getBytes(), publicKey(ec))))
        .contains("does not match");
  }

  @Test
  void keyFiles_otherKinds_areOneLineConfigErrors() throws IOException {
    OpensslKeys.Pair rsa =
        OpensslKeys.pair(
            dir, "rsa", List.of("-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"));
    OpensslKeys.Pair p384 =
        OpensslKeys.pair(
            dir, "p384", List.of("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"));
    Path garbage =
        Files.writeString(
            dir.resolve("garbage.pem"),
            "-----BEGIN PRIVATE KEY-----\n@@@\n-----END PRIVATE KEY-----\n");
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");

    assertOneLine(
        () -> SigningKeyFiles.readPrivateKey(rsa.privateKey()),
        "is not an Ed25519 or ECDSA P-256 key");
    assertOneLine(() -> SigningKeyFiles.readPublicKey(rsa.publicKey()), "is not an Ed25519");
    assertOneLine(() -> SigningKeyFiles.readPrivateKey(p384.privateKey()), "is not an Ed25519");
    assertOneLine(() -> SigningKeyFiles.readPublicKey(p384.publicKey()), "is not an Ed25519");
    assertOneLine(() -> SigningKeyFiles.readPrivateKey(ed.publicKey()), "holds a public key");
    assertOneLine(() -> SigningKeyFiles.readPublicKey(ed.privateKey()), "holds a private key");
    assertOneLine(() -> SigningKeyFiles.readPrivateKey(garbage), "malformed PEM in");
    assertOneLine(() -> SigningKeyFiles.readPublicKey(empty), "no PEM public key");
    assertOneLine(() -> SigningKeyFiles.readPublicKey(dir.resolve("none.pem")), "no such file");
  }

  private static void assertOneLine(Runnable read, String contains) {
    assertThatThrownBy(read::run)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(contains)
        .message()
        .doesNotContain("\n");
  }

  private static String keyId(OpensslKeys.Pair pair) {
    return BundleSignature.keyId(publicKey(pair));
  }

  private static String refusal(BundleSignature.Verdict verdict) {
    assertThat(verdict).isInstanceOf(BundleSignature.Verdict.Refused.class);
    return ((BundleSignature.Verdict.Refused) verdict).reason();
  }

  /** sha256 of the DER inside the PEM that openssl wrote. */
  private static String spkiSha256(Path pem) throws Exception {
    String base64 = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(base64);
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
  }
}
