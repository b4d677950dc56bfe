package dev.stevedore.server.config;

import java.net.URI;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * How this replica takes part in a cluster of replicas sharing one store: the secret that signs and
 * checks replica-to-replica requests, and the base URL peers reach this replica under.
 *
 * <p>The secret is read once, when {@code serve} starts, so a pod's mounted Secret changing under a
 * running replica cannot split the cluster halfway through a request. It never leaves this record
 * in readable form: {@link #toString} redacts it (settings are logged and shown in errors), and
 * {@link #secret} hands out a copy so no caller can change it for the others.
 *
 * @param secret at least {@value #MIN_SECRET_BYTES} bytes, the file's content without a final
 *     newline
 * @param advertise {@code http(s)://HOST[:PORT]} without path, query or fragment
 */
public record ClusterSettings(byte[] secret, URI advertise) {

  /** 256 bits: the key size of HMAC-SHA256, and more than anyone can guess. */
  public static final int MIN_SECRET_BYTES = 32;

  public ClusterSettings {
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(advertise, "advertise");
    if (secret.length < MIN_SECRET_BYTES) {
      throw new ConfigException(
          "cluster secret: "
              + secret.length
              + " bytes is too short; it needs at least "
              + MIN_SECRET_BYTES);
    }
    secret = secret.clone();
  }

  /** A copy of the secret. */
  @Override
  public byte[] secret() {
    return secret.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ClusterSettings that
        && MessageDigest.isEqual(secret, that.secret)
        && advertise.equals(that.advertise);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(secret) + advertise.hashCode();
  }

  /** The advertised URL; the secret only as its length. */
  @Override
  public String toString() {
    return "ClusterSettings[secret=("
        + secret.length
        + " bytes, redacted), advertise="
        + advertise
        + "]";
  }
}
