package dev.stevedore.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Random;

/** Test data and file helpers for blob tests. */
final class TestBlobs {

  private TestBlobs() {}

  static byte[] readPrefix(Path file, int length) throws IOException {
    byte[] all = Files.readAllBytes(file);
    assertThat(all.length).isGreaterThanOrEqualTo(length);
    return Arrays.copyOf(all, length);
  }

  static byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    new Random(length).nextBytes(bytes);
    return bytes;
  }

  static Digest sha512(byte[] content) {
    try {
      return Digest.fromHash("sha512", MessageDigest.getInstance("SHA-512").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
