package dev.stevedore.server.bundle.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Key files made by the real {@code openssl}, as a user would make them. */
public final class OpensslKeys {
  private OpensslKeys() {}

  /** A key pair's two PEM files. */
  public record Pair(Path privateKey, Path publicKey) {}

  /** {@code openssl genpkey -algorithm ed25519}, then {@code openssl pkey -pubout}. */
  public static Pair ed25519(Path dir, String name) throws IOException {
    return pair(dir, name, List.of("-algorithm", "ed25519"));
  }

  /**
   * {@code openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256}, then the public key.
   */
  public static Pair p256(Path dir, String name) throws IOException {
    return pair(dir, name, List.of("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"));
  }

  /** {@code openssl genpkey} with {@code options}, then {@code openssl pkey -pubout}. */
  public static Pair pair(Path dir, String name, List<String> options) throws IOException {
    Path privateKey = dir.resolve(name + ".pem");
    Path publicKey = dir.resolve(name + ".pub.pem");
    List<String> genpkey = new ArrayList<>(List.of("openssl", "genpkey"));
    genpkey.addAll(options);
    genpkey.addAll(List.of("-out", privateKey.toString()));
    run(genpkey);
    run(
        List.of(
            "openssl",
            "pkey",
            "-in",
            privateKey.toString(),
            "-pubout",
            "-out",
            publicKey.toString()));
    return new Pair(privateKey, publicKey);
  }

  /** Runs an openssl command line, failing on a non-zero exit. */
  public static void run(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
