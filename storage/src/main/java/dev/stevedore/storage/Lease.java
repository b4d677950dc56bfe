package dev.stevedore.storage;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A replica's claim on a piece of work (an upstream download), as stored by {@link S3Leases} at
 * {@link S3Layout#lease}: who holds it, until when, and the object's ETag, which a renewal or
 * takeover must match ({@code If-Match}) so that of two writers only one succeeds.
 *
 * @param name the lease's name, as given to {@link S3Layout#lease}
 * @param holder where peers reach the holder, an absolute {@code http} or {@code https} URL such as
 *     {@code http://10.1.2.3:5000} (see {@link #isHolder})
 * @param replicaId the holder's replica id (see {@link S3Layout#pulls})
 * @param expires when the lease ends, by the holder's clock; readers add a margin (see {@link
 *     S3Leases})
 * @param etag the ETag of the stored object, quotes included, as S3 returns it
 */
public record Lease(String name, String holder, String replicaId, Instant expires, String etag) {

  /** The longest holder URL accepted, in characters. */
  static final int MAX_HOLDER = 2048;

  public Lease {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(holder, "holder");
    Objects.requireNonNull(replicaId, "replicaId");
    Objects.requireNonNull(expires, "expires");
    Objects.requireNonNull(etag, "etag");
    if (!S3Layout.isLeaseName(name)) {
      throw new IllegalArgumentException("invalid lease name: " + name);
    }
    if (!isHolder(holder)) {
      throw new IllegalArgumentException("invalid holder URL: " + holder);
    }
    if (!S3Layout.isReplicaId(replicaId)) {
      throw new IllegalArgumentException("invalid replica id: " + replicaId);
    }
    if (etag.isEmpty()) {
      throw new IllegalArgumentException("empty etag");
    }
  }

  /**
   * Whether a reader whose clock shows {@code now} must still respect this lease: until {@link
   * #expires} plus {@code margin}, the skew between clocks it tolerates.
   */
  public boolean isLiveAt(Instant now, Duration margin) {
    return now.isBefore(expires.plus(margin));
  }

  /**
   * Whether {@code holder} is an address peers may be sent to: an absolute {@code http} or {@code
   * https} URL with a host, without user info, query or fragment, printable ASCII, at most {@value
   * #MAX_HOLDER} characters. Anyone who can write to the bucket can write a lease, so this keeps a
   * hostile one from naming more than a plain URL; which hosts a replica trusts is the caller's
   * decision.
   */
  public static boolean isHolder(String holder) {
    if (holder.isEmpty()
        || holder.length() > MAX_HOLDER
        || holder.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
      return false;
    }
    URI uri;
    try {
      uri = new URI(holder);
    } catch (URISyntaxException e) {
      return false;
    }
    String scheme = uri.getScheme();
    return ("http".equals(scheme) || "https".equals(scheme))
        && uri.getHost() != null
        && uri.getRawUserInfo() == null
        && uri.getRawQuery() == null
        && uri.getRawFragment() == null;
  }
}
