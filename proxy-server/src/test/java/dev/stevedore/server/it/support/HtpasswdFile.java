package dev.stevedore.server.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/** An htpasswd file with one user, as {@code htpasswd -B} writes it (bcrypt, cost 10). */
public final class HtpasswdFile {
  private static final SecureRandom RANDOM = new SecureRandom();

  private HtpasswdFile() {}

  public static Path write(Path file, String user, String password) throws IOException {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return Files.writeString(
        file, user + ":" + OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 10) + "\n");
  }
}
