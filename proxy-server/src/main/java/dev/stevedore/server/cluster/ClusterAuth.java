package dev.stevedore.server.cluster;

import dev.stevedore.server.config.ClusterSettings;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks replica-to-replica requests with the cluster's shared secret, so the relay
 * endpoint answers peers and nobody else.
 *
 * <p>A request carries {@code Authorization: Stevedore-Cluster t=<epochSeconds>,s=<hex>}, where
 * {@code s} is HMAC-SHA256 under the secret of the method, the path with its query and {@code t},
 * one per line. Binding the path means a signature for one blob opens no other; binding the time
 * means a captured header stops working after {@link #WINDOW}. Within the window it can be replayed
 * for the same method and path: relay requests are reads, so a replay gains nothing the original
 * did not (keep replica traffic on the pod network or TLS so it is not seen at all).
 *
 * <p>{@link #verify} never throws on what a client sends: anything malformed, oversized or outside
 * the window is {@code false}, and the signature is compared in constant time. Thread-safe.
 */
public final class ClusterAuth {

  /** The header the signature travels in. */
  public static final String HEADER = "Authorization";

  /** The authorization scheme, distinct from the Basic and Bearer ones clients use. */
  public static final String SCHEME = "Stevedore-Cluster";

  /**
   * How far a signature's time may be from the verifier's clock, either way: replicas run NTP, so
   * their clocks agree within a second or so; a minute also covers a request queued behind a slow
   * connection.
   */
  public static final Duration WINDOW = Duration.ofSeconds(60);

  /** Longer header values are refused before any parsing: a real one is about 100 characters. */
  static final int MAX_HEADER_LENGTH = 200;

  private static final String ALGORITHM = "HmacSHA256";
  private static final Pattern VALUE =
      Pattern.compile(Pattern.quote(SCHEME) + " t=(0|[1-9][0-9]{0,11}),s=([0-9a-f]{64})");

  private final SecretKeySpec key;

  /** An authenticator with {@code secret} (copied), at least 32 bytes. */
  public ClusterAuth(byte[] secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length < ClusterSettings.MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "cluster secret needs at least " + ClusterSettings.MIN_SECRET_BYTES + " bytes");
    }
    this.key = new SecretKeySpec(secret, ALGORITHM);
  }

  /** The authenticator of a cluster's settings. */
  public static ClusterAuth of(ClusterSettings cluster) {
    return new ClusterAuth(cluster.secret());
  }

  /**
   * The {@value #HEADER} header value for a request of {@code method} to {@code pathAndQuery} (e.g.
   * {@code /cluster/blobs/sha256:ab…?offset=0}) made at {@code now}.
   */
  public String sign(String method, String pathAndQuery, Instant now) {
    long seconds = now.getEpochSecond();
    if (seconds < 0) {
      throw new IllegalArgumentException("time before the epoch: " + now);
    }
    return SCHEME
        + " t="
        + seconds
        + ",s="
        + HexFormat.of().formatHex(mac(method, pathAndQuery, seconds));
  }

  /**
   * Whether {@code headerValue} (may be {@code null}) is a signature by this secret of {@code
   * method} and {@code pathAndQuery}, made within {@link #WINDOW} of {@code now}.
   */
  public boolean verify(String headerValue, String method, String pathAndQuery, Instant now) {
    if (headerValue == null
        || headerValue.length() > MAX_HEADER_LENGTH
        || method == null
        || pathAndQuery == null) {
      return false;
    }
    Matcher matcher = VALUE.matcher(headerValue);
    if (!matcher.matches()) {
      return false;
    }
    long seconds = Long.parseLong(matcher.group(1));
    if (Math.abs(seconds - now.getEpochSecond()) > WINDOW.toSeconds()) {
      return false;
    }
    byte[] given = HexFormat.of().parseHex(matcher.group(2));
    return MessageDigest.isEqual(mac(method, pathAndQuery, seconds), given);
  }

  private byte[] mac(String method, String pathAndQuery, long seconds) {
    String message = method.toUpperCase(Locale.ROOT) + "\n" + pathAndQuery + "\n" + seconds;
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  @Override
  public String toString() {
    return "ClusterAuth[secret redacted]";
  }
}
