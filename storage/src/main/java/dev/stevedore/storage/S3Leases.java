package dev.stevedore.storage;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Leases in the shared store ({@link S3Layout#lease}), by which replicas agree who does a piece of
 * work (an upstream download) without a membership service. Blocking; thread-safe.
 *
 * <p><b>Only atomic operations.</b> A lease is created with a conditional {@code PutObject} ({@code
 * If-None-Match: *}) and renewed, taken over or released with {@code If-Match: <etag>} of the
 * version the writer read; of two writers with the same condition exactly one succeeds, the other
 * gets {@code 412} (or {@code 409} when AWS sees the two at once). AWS S3 performs both conditions
 * atomically (If-None-Match since August 2024, If-Match on {@code PutObject} since November 2024),
 * as does MinIO (older releases wrote an {@code If-Match} PUT of a missing key, minio#21526, and
 * ignored both conditions when they could not reach read quorum, minio#21603: run a release with
 * both fixed); reads after a write are strongly consistent on both. Where a condition is wrongly
 * granted anyway, the cost is one download done twice, never a wrong blob: blobs are verified, and
 * the writer whose version is not the stored one fails its next {@link #renew}. Nothing else is
 * needed: no delete (a conditional {@code DeleteObject} is not available everywhere, and an
 * unconditional one could remove a lease another replica just took over), no listing, no locking.
 * S3Proxy, the test server, checks both conditions but not atomically (check, then write): the
 * tests show behaviour, not atomicity.
 *
 * <p><b>Clocks.</b> A lease carries its expiry by its holder's clock; a reader judges it by its own
 * clock plus a margin ({@link #margin()}, 2 s at the default ttl of 30 s). As long as the clocks of
 * two replicas differ by less than the margin — NTP keeps them within milliseconds — a holder that
 * stops acting on its lease when its own clock passes the expiry never overlaps with a replica that
 * takes the lease over. And if clocks drift further, the cost is two replicas doing the same
 * download (the blob is verified either way), never a wrong answer: the ETag, not the clock,
 * decides who wins a write. A lease expiring more than {@link #MAX_TTL} plus the margin ahead of
 * the reader's clock reads as corrupt, so a hostile or skewed lease blocks nobody for long.
 *
 * <p><b>Lost answers.</b> A conditional {@code PUT} may land while its answer is lost (a server
 * answering {@code 412} before reading the body and closing the connection, a timeout). Every
 * write's body is unique (see {@link LeaseRecord}), so after such a failure the lease is read again
 * and the write counts as ours exactly when the stored body is the one we sent.
 *
 * <p><b>A non-atomic server.</b> A claim reads the lease once more after its write succeeded and is
 * {@code Mine} only if the write is still the stored version. On AWS S3 and MinIO this never
 * changes an answer; on a server that checks conditions non-atomically it turns most of the
 * concurrent "winners" into {@code Theirs} (S3Proxy let up to eight of eight concurrent creates
 * succeed without it), and a winner that still slips through learns at its first {@link #renew}
 * that it is not the holder. One {@code GET} per claim is cheap next to a blob download.
 */
public final class S3Leases {
  private static final Logger log = LoggerFactory.getLogger(S3Leases.class);

  /** The default lease time: 30 s. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);

  /** The longest lease time this class writes, or believes when reading: 5 min. */
  public static final Duration MAX_TTL = Duration.ofMinutes(5);

  /** The most clock skew tolerated between replicas: 2 s (less for a ttl under 20 s). */
  static final Duration MAX_MARGIN = Duration.ofSeconds(2);

  /** Claims that keep losing races give up after this many rounds (a storm of writers). */
  private static final int MAX_ROUNDS = 4;

  private static final String TEXT = "text/plain; charset=utf-8";

  /** What {@link #claim} found: the lease is this caller's, or another replica's. */
  public sealed interface Claim {
    /** The lease as stored now. */
    Lease lease();

    /**
     * The caller holds the lease: it created it, took it over from an expired or corrupt one, or
     * renewed it from an earlier life of the same replica. It must {@link #renew} it before {@link
     * Lease#expires} and {@link #release} it when done.
     */
    record Mine(Lease lease) implements Claim {
      public Mine {
        Objects.requireNonNull(lease, "lease");
      }
    }

    /** Another replica holds a live lease; {@link Lease#holder} says where to reach it. */
    record Theirs(Lease lease) implements Claim {
      public Theirs {
        Objects.requireNonNull(lease, "lease");
      }
    }
  }

  private final S3Client s3;
  private final S3Layout layout;
  private final Clock clock;
  private final Duration ttl;
  private final Duration margin;
  private final Duration settle;

  /** Leases in {@code layout}'s bucket, lasting {@code ttl} (at most {@link #MAX_TTL}). */
  public S3Leases(S3Client s3, S3Layout layout, Clock clock, Duration ttl) {
    this(s3, layout, clock, ttl, Duration.ZERO);
  }

  /**
   * As the four-argument constructor, for a store that checks conditions non-atomically (S3Proxy: a
   * concurrent writer may pass its check before our write lands and overwrite it just after): a
   * winning write is confirmed by a read {@code settle} later, when such an overwrite has landed.
   * AWS S3 and MinIO need none ({@link Duration#ZERO}: the read follows at once).
   */
  public S3Leases(S3Client s3, S3Layout layout, Clock clock, Duration ttl, Duration settle) {
    this.settle = Objects.requireNonNull(settle, "settle");
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.layout = Objects.requireNonNull(layout, "layout");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ttl = Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException(
          "ttl must be positive and at most " + MAX_TTL + ": " + ttl);
    }
    Duration tenth = ttl.dividedBy(10);
    this.margin = tenth.compareTo(MAX_MARGIN) < 0 ? tenth : MAX_MARGIN;
  }

  /** As the four-argument constructor, with the system clock and {@link #DEFAULT_TTL}. */
  public S3Leases(S3Client s3, S3Layout layout) {
    this(s3, layout, Clock.systemUTC(), DEFAULT_TTL);
  }

  /** How long a lease lasts from its last write. */
  public Duration ttl() {
    return ttl;
  }

  /** The clock skew between replicas tolerated: a reader respects a lease this long past expiry. */
  public Duration margin() {
    return margin;
  }

  /**
   * Claims lease {@code name} for {@code holder} (this replica's URL for peers, see {@link
   * Lease#isHolder}) and {@code replicaId}. {@link Claim.Mine} when there was no lease, or an
   * expired or corrupt one, or a live one of the same {@code replicaId}; {@link Claim.Theirs} when
   * another replica holds a live lease, or won a race for it meanwhile.
   *
   * <p>A live lease of the same replica id is taken over, not left to expire: it is an earlier life
   * of this replica (a restart), whose download died with it, and peers would otherwise relay from
   * this very address for up to a ttl, finding nothing. Taking it over is a conditional write like
   * any other, so it is safe even if two processes share an id by mistake: one of them wins, and
   * the other's next {@link #renew} fails, so it stops acting as the holder; the worst case is one
   * download done twice.
   *
   * @throws IOException when the store cannot be reached, or the lease is contended beyond reason;
   *     the caller then works without a lease
   */
  public Claim claim(String name, String holder, String replicaId) throws IOException {
    String key = layout.lease(name);
    requireHolder(holder, replicaId);
    for (int round = 0; round < MAX_ROUNDS; round++) {
      Optional<Stored> current = fetch(name, key);
      if (current.isPresent() && isRespected(current.get(), replicaId)) {
        return new Claim.Theirs(current.get().lease().orElseThrow());
      }
      Optional<String> ifMatch = current.map(Stored::etag);
      Optional<Lease> mine = write(name, key, holder, replicaId, expiry(), ifMatch);
      Optional<Stored> now = mine.isPresent() ? confirm(name, key, mine.get()) : fetch(name, key);
      if (mine.isPresent() && now.isPresent() && now.get().etag().equals(mine.get().etag())) {
        if (current.isPresent()) {
          log.info("Took over lease {} from {}", key, current.get().describe());
        }
        return new Claim.Mine(mine.get());
      }
      if (now.isPresent() && now.get().isLiveAt(clock.instant(), margin)) {
        return new Claim.Theirs(now.get().lease().orElseThrow());
      }
    }
    throw new ObjectStoreException("lease " + key + " is contended: no claim settled", null);
  }

  /**
   * The lease as stored after our write of {@code mine} succeeded. When the store cannot be read
   * just now, the write decides, as it does on an atomic store: throwing would leave a lease naming
   * this replica that it does not know it holds.
   */
  private Optional<Stored> confirm(String name, String key, Lease mine) {
    try {
      if (!settle.isZero()) {
        Thread.sleep(settle.toMillis());
      }
      return fetch(name, key);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of(new Stored(mine.etag(), new byte[0], Optional.of(mine)));
    } catch (IOException e) {
      log.debug("Could not confirm lease {}; the write decides: {}", key, e.toString());
      return Optional.of(new Stored(mine.etag(), new byte[0], Optional.of(mine)));
    }
  }

  /**
   * Whether the holder of {@code mine} may still act on it: until its expiry by this replica's
   * clock. Readers wait a {@link #margin()} longer before they take it over, so a holder that stops
   * here never overlaps with its successor unless clocks differ by more than the margin. Renew well
   * before (every third of the ttl, say), so that one failed renewal costs nothing.
   */
  public boolean holds(Lease mine) {
    Objects.requireNonNull(mine, "mine");
    return clock.instant().isBefore(mine.expires());
  }

  /**
   * Extends {@code mine} by a ttl from now. Empty when it was lost (another replica took it over,
   * or it is gone): the caller must then stop acting as the holder.
   *
   * @throws IOException when the store cannot be reached: the lease still stands until its expiry,
   *     and the caller may try again until then
   */
  public Optional<Lease> renew(Lease mine) throws IOException {
    Objects.requireNonNull(mine, "mine");
    String key = layout.lease(mine.name());
    Optional<Lease> renewed =
        write(
            mine.name(), key, mine.holder(), mine.replicaId(), expiry(), Optional.of(mine.etag()));
    if (renewed.isEmpty()) {
      log.warn("Lost lease {}: it was taken over or removed", key);
    }
    return renewed;
  }

  /**
   * Gives {@code mine} up by writing it expired (conditionally, so a lease taken over meanwhile is
   * left alone), so that the next claimer need not wait out the ttl. Best effort: a failure is
   * logged, never thrown — the lease then simply expires.
   */
  public void release(Lease mine) {
    Objects.requireNonNull(mine, "mine");
    try {
      String key = layout.lease(mine.name());
      Optional<Lease> released =
          write(
              mine.name(),
              key,
              mine.holder(),
              mine.replicaId(),
              Instant.EPOCH,
              Optional.of(mine.etag()));
      if (released.isEmpty()) {
        log.debug("Lease {} was no longer ours to release", key);
      }
    } catch (IOException | RuntimeException e) {
      log.warn("Could not release lease {}; it expires by itself: {}", mine.name(), e.toString());
    }
  }

  /** The lease {@code name} as stored; empty when there is none or it is corrupt (logged). */
  public Optional<Lease> read(String name) throws IOException {
    return fetch(name, layout.lease(name)).flatMap(Stored::lease);
  }

  /** Whether a claimer with {@code replicaId} must leave {@code stored} to its holder. */
  private boolean isRespected(Stored stored, String replicaId) {
    return stored.isLiveAt(clock.instant(), margin)
        && !stored.lease().orElseThrow().replicaId().equals(replicaId);
  }

  private Instant expiry() {
    return clock.instant().plus(ttl);
  }

  /**
   * Writes a lease conditionally: {@code If-Match: etag} when given, else {@code If-None-Match: *}.
   * The lease written, or empty when the condition failed (the lease changed, or is gone).
   */
  private Optional<Lease> write(
      String name,
      String key,
      String holder,
      String replicaId,
      Instant expires,
      Optional<String> ifMatch)
      throws IOException {
    byte[] body = LeaseRecord.format(holder, replicaId, expires);
    PutObjectRequest.Builder put =
        PutObjectRequest.builder().bucket(layout.bucket()).key(key).contentType(TEXT);
    ifMatch.ifPresentOrElse(put::ifMatch, () -> put.ifNoneMatch("*"));
    Instant written = Instant.ofEpochMilli(Math.max(0, expires.toEpochMilli()));
    try {
      String etag = s3.putObject(put.build(), RequestBody.fromBytes(body)).eTag();
      if (etag != null && !etag.isEmpty()) {
        return Optional.of(new Lease(name, holder, replicaId, written, etag));
      }
      return settled(name, key, body, ifMatch, null);
    } catch (SdkException e) {
      if (S3Calls.isPreconditionFailed(e) || S3Calls.isNotFound(e)) {
        return Optional.empty();
      }
      return settled(name, key, body, ifMatch, e);
    }
  }

  /**
   * After a conditional write whose answer was lost (or carried no ETag), the stored object tells
   * what happened: ours when it holds exactly the body sent; still the version we conditioned on
   * (or nothing, for a create) when our write never landed, a failure the caller may retry;
   * anything else means another writer won, or the lease is gone: empty.
   */
  private Optional<Lease> settled(
      String name, String key, byte[] body, Optional<String> ifMatch, SdkException failure)
      throws IOException {
    Optional<Stored> stored = fetch(name, key);
    if (stored.isPresent() && Arrays.equals(stored.get().body(), body)) {
      return stored.get().lease();
    }
    boolean unchanged =
        stored.isPresent() ? ifMatch.equals(Optional.of(stored.get().etag())) : ifMatch.isEmpty();
    if (!unchanged) {
      return Optional.empty();
    }
    SdkException cause =
        failure != null ? failure : SdkClientException.create("PUT answered without an ETag");
    throw S3Calls.failure("conditional PUT", key, cause);
  }

  /** The lease object at {@code key}, with its ETag; its lease is empty when it is corrupt. */
  private Optional<Stored> fetch(String name, String key) throws IOException {
    GetObjectRequest get = GetObjectRequest.builder().bucket(layout.bucket()).key(key).build();
    Optional<Stored> stored = S3Calls.ifPresent("GET", key, () -> readCapped(get));
    return stored.map(s -> s.believable(name, clock.instant().plus(MAX_TTL).plus(margin)));
  }

  /** The object, but never more than one byte past the record limit, whatever it claims. */
  private Stored readCapped(GetObjectRequest get) {
    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(get)) {
      byte[] bytes = in.readNBytes(LineRecords.MAX_RECORD_BYTES + 1);
      if (bytes.length > LineRecords.MAX_RECORD_BYTES) {
        in.abort();
      }
      String etag = in.response().eTag();
      if (etag == null || etag.isEmpty()) {
        throw SdkClientException.create("GET of " + get.key() + " answered without an ETag");
      }
      return new Stored(etag, bytes, Optional.empty());
    } catch (IOException e) {
      throw SdkClientException.create("reading " + get.key() + " failed", e);
    }
  }

  private static void requireHolder(String holder, String replicaId) {
    Objects.requireNonNull(holder, "holder");
    Objects.requireNonNull(replicaId, "replicaId");
    if (!Lease.isHolder(holder)) {
      throw new IllegalArgumentException("invalid holder URL: " + holder);
    }
    if (!S3Layout.isReplicaId(replicaId)) {
      throw new IllegalArgumentException("invalid replica id: " + replicaId);
    }
  }

  /** A lease object as read: its ETag, its bytes, and its lease unless it is corrupt. */
  private record Stored(String etag, byte[] body, Optional<Lease> lease) {

    /** This object parsed; a lease expiring after {@code latest} is not believed (corrupt). */
    Stored believable(String name, Instant latest) {
      Optional<Lease> parsed = LeaseRecord.parse(name, etag, body);
      if (parsed.isPresent() && parsed.get().expires().isAfter(latest)) {
        log.warn(
            "Lease {} expires at {}, beyond any lease time; it counts as expired",
            name,
            parsed.get().expires());
        parsed = Optional.empty();
      }
      return new Stored(etag, body, parsed);
    }

    boolean isLiveAt(Instant now, Duration margin) {
      return lease.isPresent() && lease.get().isLiveAt(now, margin);
    }

    String describe() {
      return lease.map(l -> l.replicaId() + " at " + l.holder()).orElse("a corrupt lease");
    }
  }
}
