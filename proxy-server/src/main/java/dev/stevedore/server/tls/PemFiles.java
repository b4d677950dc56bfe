package dev.stevedore.server.tls;

import dev.stevedore.server.config.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/**
 * Reading and writing PEM files with Bouncy Castle: certificates (a chain, leaf first) and
 * unencrypted private keys, PKCS#1/SEC1 ({@code RSA PRIVATE KEY}, {@code EC PRIVATE KEY}) or PKCS#8
 * ({@code PRIVATE KEY}). Read failures are {@link ConfigException}s whose one-line message names
 * the file.
 */
final class PemFiles {
  private PemFiles() {}

  /** Every certificate in {@code file}, in order; other PEM blocks (a key) are skipped. */
  static List<X509Certificate> readCertificates(Path file) {
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    List<X509Certificate> certificates = new ArrayList<>();
    for (Object object : readObjects(file, "certificate")) {
      if (object instanceof X509CertificateHolder holder) {
        try {
          certificates.add(converter.getCertificate(holder));
        } catch (CertificateException e) {
          throw new ConfigException("invalid certificate in " + file + ": " + e.getMessage(), e);
        }
      }
    }
    if (certificates.isEmpty()) {
      throw new ConfigException("no PEM certificate (BEGIN CERTIFICATE) in " + file);
    }
    return List.copyOf(certificates);
  }

  /**
   * The first private key in {@code file}; other PEM blocks (EC parameters, certificates) are
   * skipped.
   */
  static PrivateKey readPrivateKey(Path file) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    for (Object object : readObjects(file, "private key")) {
      try {
        if (object instanceof PEMKeyPair pair) {
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
        if (object instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
      } catch (IOException | RuntimeException e) {
        throw new ConfigException(
            "unsupported or invalid private key in " + file + ": " + e.getMessage(), e);
      }
      if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
        throw new ConfigException(
            "the private key in "
                + file
                + " is encrypted; give an unencrypted key (openssl pkey -in KEY -out PLAIN_KEY)");
      }
    }
    throw new ConfigException(
        "no PEM private key (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY) in " + file);
  }

  private static List<Object> readObjects(Path file, String what) {
    List<Object> objects = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      Object object;
      while ((object = parser.readObject()) != null) {
        objects.add(object);
      }
      return objects;
    } catch (IOException e) {
      throw new ConfigException("cannot read " + what + " " + file + ": " + describe(e), e);
    } catch (RuntimeException e) { // malformed base64 or DER inside a PEM block
      throw new ConfigException("malformed PEM in " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code certificate} as PEM, atomically, readable by everyone. */
  static void writeCertificate(Path file, X509Certificate certificate) throws IOException {
    writeAtomically(file, pem(certificate), false);
  }

  /** Writes {@code key} as an unencrypted PKCS#8 PEM, atomically, readable by the owner only. */
  static void writePrivateKey(Path file, PrivateKey key) throws IOException {
    writeAtomically(file, pem(new JcaPKCS8Generator(key, null)), true);
  }

  /** {@code certificate} as PEM text. */
  static String pem(X509Certificate certificate) {
    return pem((Object) certificate);
  }

  private static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      if (object instanceof PemObjectGenerator generator) {
        writer.writeObject(generator);
      } else {
        writer.writeObject(object);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  private static void writeAtomically(Path file, String content, boolean ownerOnly)
      throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      if (ownerOnly) {
        createOwnerOnly(temp);
      }
      Files.writeString(temp, content, StandardCharsets.US_ASCII);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void createOwnerOnly(Path file) throws IOException {
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    }
  }

  /** A short reason for an I/O failure: "no such file", "permission denied", or the message. */
  static String describe(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
