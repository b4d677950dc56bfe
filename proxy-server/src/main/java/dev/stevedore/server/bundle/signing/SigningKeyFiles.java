package dev.stevedore.server.bundle.signing;

import dev.stevedore.server.config.ConfigException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads bundle signing keys from PEM files as OpenSSL writes them: a private key as {@code openssl
 * genpkey -algorithm ed25519} or {@code -algorithm EC -pkeyopt ec_paramgen_curve:P-256} writes it
 * (unencrypted PKCS#8, {@code BEGIN PRIVATE KEY}), a public key as {@code openssl pkey -pubout}
 * writes it ({@code BEGIN PUBLIC KEY}). Anything else is a {@link ConfigException} with one line
 * naming the file and what to give instead.
 */
public final class SigningKeyFiles {
  /** Far above any PEM key of the two kinds; a larger file is not one. */
  static final int MAX_FILE_BYTES = 64 * 1024;

  private static final String SUPPORTED =
      "an Ed25519 or ECDSA P-256 key (openssl genpkey -algorithm ed25519 -out KEY.pem makes one)";

  private SigningKeyFiles() {}

  /** The private key in {@code file}, to sign with. */
  public static PrivateKey readPrivateKey(Path file) {
    for (Object object : readObjects(file)) {
      if (object instanceof PrivateKeyInfo info) {
        return supported(file, convert(file, () -> KeyEncodings.privateKey(info)));
      }
      if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
        throw new ConfigException(
            "the private key in "
                + file
                + " is encrypted; give an unencrypted key (openssl pkey -in KEY -out PLAIN_KEY)");
      }
      if (object instanceof PEMKeyPair) {
        throw new ConfigException(
            "the private key in "
                + file
                + " is not PKCS#8; convert it (openssl pkey -in KEY -out KEY8.pem)");
      }
      if (object instanceof SubjectPublicKeyInfo) {
        throw new ConfigException(
            file + " holds a public key; --sign-key needs the private key (BEGIN PRIVATE KEY)");
      }
    }
    throw new ConfigException("no PEM private key (BEGIN PRIVATE KEY) in " + file);
  }

  /** The public key in {@code file}, to trust. */
  public static PublicKey readPublicKey(Path file) {
    for (Object object : readObjects(file)) {
      if (object instanceof SubjectPublicKeyInfo info) {
        return supported(file, convert(file, () -> KeyEncodings.publicKey(info)));
      }
      if (object instanceof PrivateKeyInfo
          || object instanceof PEMKeyPair
          || object instanceof PEMEncryptedKeyPair
          || object instanceof PKCS8EncryptedPrivateKeyInfo) {
        throw new ConfigException(
            file
                + " holds a private key; trust its public key"
                + " (openssl pkey -in KEY -pubout -out PUB.pem)");
      }
    }
    throw new ConfigException("no PEM public key (BEGIN PUBLIC KEY) in " + file);
  }

  private interface Conversion<K extends Key> {
    Optional<K> convert() throws GeneralSecurityException;
  }

  private static <K extends Key> Optional<K> convert(Path file, Conversion<K> conversion) {
    try {
      return conversion.convert();
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new ConfigException("invalid key in " + file + ": " + e.getMessage(), e);
    }
  }

  private static <K extends Key> K supported(Path file, Optional<K> key) {
    if (key.isEmpty() || SignatureAlgorithm.of(key.get()).isEmpty()) {
      throw new ConfigException("the key in " + file + " is not " + SUPPORTED);
    }
    return key.get();
  }

  private static List<Object> readObjects(Path file) {
    String text;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new ConfigException(file + " is too large to be a PEM key");
      }
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new ConfigException("cannot read key " + file + ": no such file");
    } catch (IOException e) {
      throw new ConfigException("cannot read key " + file + ": " + e.getMessage(), e);
    }
    List<Object> objects = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        objects.add(object);
      }
      return objects;
    } catch (IOException | RuntimeException e) { // malformed base64 or DER inside a PEM block
      throw new ConfigException("malformed PEM in " + file + ": " + e.getMessage(), e);
    }
  }
}
