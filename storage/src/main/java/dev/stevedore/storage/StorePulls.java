package dev.stevedore.storage;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * What one replica tells {@link StoreEviction} about its use of the shared store: when it last
 * served each blob. A blob's {@code LastModified} in S3 says when it was written, not when it was
 * last pulled, and S3 has no access time; writing one object per pull would cost a {@code PUT} per
 * request. So a pull is only noted in memory ({@link #recordPull}, non-blocking), and {@link
 * #flush} (blocking, called periodically by the server, say every minute) merges the notes into
 * this replica's one record, {@code <prefix>/pulls/<replicaId>} ({@link PullRecord}'s format): one
 * {@code GET} and one {@code PUT} per flush, none when nothing was pulled.
 *
 * <p>The record keeps what it held before (a restart forgets nothing that was flushed) but drops
 * pulls older than the horizon, so it stays as small as the set of blobs in use. Each replica
 * writes only its own record, so replicas never race on an object. Pulls noted since the last flush
 * are held up to {@link #MAX_PENDING} distinct digests; beyond that, new digests are dropped (and
 * counted in the next flush's log line) rather than growing without bound — a dropped pull at worst
 * makes its blob look older to eviction.
 */
public final class StorePulls {
  private static final Logger log = LoggerFactory.getLogger(StorePulls.class);

  /** The default horizon: pulls older than this are forgotten, 30 days. */
  public static final Duration DEFAULT_HORIZON = Duration.ofDays(30);

  /** Distinct digests noted between two flushes, at most (about 20 MB of memory). */
  static final int MAX_PENDING = 100_000;

  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final Clock clock;
  private final Duration horizon;
  private final ConcurrentHashMap<Digest, Instant> pending = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();

  /**
   * Pulls of {@code replicaId} (one plain key segment, see {@link S3Layout#pulls}) in {@code
   * layout}'s bucket, timed by {@code clock}, forgotten after {@code horizon}.
   */
  public StorePulls(S3Client s3, S3Layout layout, String replicaId, Clock clock, Duration horizon) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(layout, "layout").bucket();
    this.key = layout.pulls(replicaId);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.horizon = Objects.requireNonNull(horizon, "horizon");
    if (horizon.isNegative() || horizon.isZero()) {
      throw new IllegalArgumentException("horizon must be positive: " + horizon);
    }
  }

  /** As the five-argument constructor, with the system clock and {@link #DEFAULT_HORIZON}. */
  public StorePulls(S3Client s3, S3Layout layout, String replicaId) {
    this(s3, layout, replicaId, Clock.systemUTC(), DEFAULT_HORIZON);
  }

  /** Notes that {@code digest} was served now. Non-blocking, thread-safe, no I/O. */
  public void recordPull(Digest digest) {
    Objects.requireNonNull(digest, "digest");
    Instant now = clock.instant();
    if (pending.size() >= MAX_PENDING && !pending.containsKey(digest)) {
      dropped.incrementAndGet();
      return;
    }
    pending.merge(digest, now, PullRecord::later);
  }

  /**
   * Merges the pulls noted since the last flush into this replica's record. Blocking: one {@code
   * GET} and one {@code PUT}, none when nothing was noted. When the bucket cannot be reached the
   * notes are kept for the next flush and the failure is thrown.
   *
   * @return how many digests were noted since the last flush
   */
  public int flush() throws IOException {
    Map<Digest, Instant> drained = drain();
    long lost = dropped.getAndSet(0);
    if (lost > 0) {
      log.warn(
          "Dropped {} pulls noted beyond {} distinct digests since the last flush",
          lost,
          MAX_PENDING);
    }
    if (drained.isEmpty()) {
      return 0;
    }
    try {
      Map<Digest, Instant> record = PullRecord.read(s3, bucket, key);
      drained.forEach((digest, at) -> record.merge(digest, at, PullRecord::later));
      Instant oldest = clock.instant().minus(horizon);
      record.values().removeIf(at -> at.isBefore(oldest));
      PutObjectRequest put =
          PutObjectRequest.builder()
              .bucket(bucket)
              .key(key)
              .contentType("text/plain; charset=utf-8")
              .build();
      RequestBody body = RequestBody.fromString(PullRecord.format(record));
      S3Calls.io("PUT", key, () -> s3.putObject(put, body));
      return drained.size();
    } catch (IOException | RuntimeException e) {
      drained.forEach((digest, at) -> pending.merge(digest, at, PullRecord::later));
      throw e;
    }
  }

  /** Takes the pending notes out, each atomically, so a pull noted meanwhile is never lost. */
  private Map<Digest, Instant> drain() {
    Map<Digest, Instant> drained = new HashMap<>();
    for (Map.Entry<Digest, Instant> entry : pending.entrySet()) {
      if (pending.remove(entry.getKey(), entry.getValue())) {
        drained.put(entry.getKey(), entry.getValue());
      }
    }
    return drained;
  }

  @Override
  public String toString() {
    return "StorePulls[s3://" + bucket + "/" + key + "]";
  }
}
