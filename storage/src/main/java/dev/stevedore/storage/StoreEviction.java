package dev.stevedore.storage;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Keeps the shared store within a budget ({@code --max-store-size}): when its blobs together exceed
 * it, deletes the least recently used until they fit. A blob's last use is the later of its {@code
 * LastModified} (when it was written) and the latest pull any replica recorded ({@link
 * StorePulls}). A blob younger than the grace period (by {@code LastModified}) is never deleted: it
 * may be in the middle of being pulled for the first time, before any replica flushed a pull of it.
 * Only keys that are exactly a blob's key ({@link S3Layout#digestOfBlobKey}) count; anything else
 * under the blobs prefix is left alone. The run also deletes the pull records of replicas that have
 * not written theirs for longer than the horizon (replicas that are gone).
 *
 * <p><b>Why no lock.</b> Blobs are content-addressed and immutable: deleting one never leaves a
 * wrong answer, only a miss. A replica streaming a blob while it is deleted completes its {@code
 * GET}s in flight (S3 serves an object that was deleted after the request started); a later request
 * misses and the replica fetches the blob from upstream again, writing it anew. Manifests, tags and
 * links are not touched (they are small); a link whose blob was evicted makes a pull re-fetch the
 * blob. The worst a race can do is evict a blob that was pulled after this run read the pull
 * records, or re-written between the listing and the delete: one extra upstream fetch. Two replicas
 * running eviction at the same time may together delete more than needed; run it on one replica, or
 * accept the extra fetches.
 *
 * <p><b>Cost.</b> One {@code LIST} per 1000 blobs, one {@code LIST} of the pull records and one
 * {@code GET} per replica's record, plus one {@code DELETE} per evicted blob (and per stale
 * record). Memory: one small entry per blob in the store during the run. Blocking.
 */
public final class StoreEviction {
  private static final Logger log = LoggerFactory.getLogger(StoreEviction.class);

  /** The default grace period: a blob written less than an hour ago is never evicted. */
  public static final Duration DEFAULT_GRACE = Duration.ofHours(1);

  /** S3's largest page of a listing. */
  static final int MAX_KEYS = 1000;

  private final S3Client s3;
  private final S3Layout layout;
  private final Clock clock;
  private final Duration grace;
  private final Duration horizon;
  private final int maxKeys;

  /**
   * Evicts from {@code layout}'s bucket, by {@code clock}; never a blob younger than {@code grace};
   * drops the pull records of replicas silent for longer than {@code horizon} (use the horizon the
   * replicas' {@link StorePulls} use).
   */
  public StoreEviction(
      S3Client s3, S3Layout layout, Clock clock, Duration grace, Duration horizon) {
    this(s3, layout, clock, grace, horizon, MAX_KEYS);
  }

  /** With the system clock, {@link #DEFAULT_GRACE} and {@link StorePulls#DEFAULT_HORIZON}. */
  public StoreEviction(S3Client s3, S3Layout layout) {
    this(s3, layout, Clock.systemUTC(), DEFAULT_GRACE, StorePulls.DEFAULT_HORIZON);
  }

  /** With pages of {@code maxKeys} keys, so tests can page through a few blobs. */
  StoreEviction(
      S3Client s3, S3Layout layout, Clock clock, Duration grace, Duration horizon, int maxKeys) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.layout = Objects.requireNonNull(layout, "layout");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.grace = Objects.requireNonNull(grace, "grace");
    this.horizon = Objects.requireNonNull(horizon, "horizon");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("negative grace period: " + grace);
    }
    if (horizon.isNegative() || horizon.isZero()) {
      throw new IllegalArgumentException("horizon must be positive: " + horizon);
    }
    if (maxKeys < 1 || maxKeys > MAX_KEYS) {
      throw new IllegalArgumentException("page size out of 1.." + MAX_KEYS + ": " + maxKeys);
    }
    this.maxKeys = maxKeys;
  }

  /** A blob as listed: its size, when it was written, when it was last used. */
  private record Listed(Digest digest, long size, Instant modified, Instant lastUse) {}

  /**
   * Deletes least recently used blobs until the store holds at most {@code budgetBytes}, or only
   * blobs within the grace period are left. Blocking; an unreachable bucket is an {@link
   * IOException} (what was deleted before it stays deleted).
   */
  public EvictionReport run(long budgetBytes) throws IOException {
    if (budgetBytes < 0) {
      throw new IllegalArgumentException("negative budget: " + budgetBytes);
    }
    Instant started = clock.instant();
    long startNanos = System.nanoTime();
    Map<Digest, Instant> pulls = readPullRecords(started);
    List<Listed> blobs = new ArrayList<>();
    long[] total = {0};
    list(
        layout.blobsPrefix(),
        object ->
            layout
                .digestOfBlobKey(object.key())
                .ifPresent(
                    digest -> {
                      Instant modified = object.lastModified();
                      Instant pulled = pulls.getOrDefault(digest, modified);
                      blobs.add(
                          new Listed(
                              digest, object.size(), modified, PullRecord.later(modified, pulled)));
                      total[0] += object.size();
                    }));
    long remaining = total[0];
    long evicted = 0;
    long evictedBytes = 0;
    if (remaining > budgetBytes) {
      blobs.sort(Comparator.comparing(Listed::lastUse));
      Instant youngest = started.minus(grace);
      for (Listed blob : blobs) {
        if (remaining <= budgetBytes) {
          break;
        }
        if (blob.modified().isAfter(youngest)) {
          continue;
        }
        delete(layout.blob(blob.digest()));
        remaining -= blob.size();
        evicted++;
        evictedBytes += blob.size();
      }
    }
    EvictionReport report =
        new EvictionReport(
            blobs.size(),
            total[0],
            evicted,
            evictedBytes,
            Duration.ofNanos(System.nanoTime() - startNanos));
    if (evicted > 0 || remaining > budgetBytes) {
      log.info(
          "Store eviction: {} blobs of {} bytes, budget {} bytes: evicted {} blobs of {} bytes, {} bytes left",
          report.blobs(),
          report.bytes(),
          budgetBytes,
          evicted,
          evictedBytes,
          remaining);
    }
    return report;
  }

  /**
   * The latest pull of each digest in any replica's record; deletes the records not written for
   * longer than the horizon.
   */
  private Map<Digest, Instant> readPullRecords(Instant now) throws IOException {
    List<S3Object> records = new ArrayList<>();
    list(layout.pullsPrefix(), records::add);
    Map<Digest, Instant> latest = new HashMap<>();
    Instant oldest = now.minus(horizon);
    for (S3Object record : records) {
      if (record.lastModified().isBefore(oldest)) {
        log.info(
            "Deleting the pull record {}, not written since {}",
            record.key(),
            record.lastModified());
        delete(record.key());
        continue;
      }
      PullRecord.read(s3, layout.bucket(), record.key())
          .forEach((digest, at) -> latest.merge(digest, at, PullRecord::later));
    }
    return latest;
  }

  /** Every object under {@code prefix}, page by page. */
  private void list(String prefix, Consumer<S3Object> each) throws IOException {
    Optional<String> token = Optional.empty();
    do {
      ListObjectsV2Request.Builder request =
          ListObjectsV2Request.builder().bucket(layout.bucket()).prefix(prefix).maxKeys(maxKeys);
      token.ifPresent(request::continuationToken);
      ListObjectsV2Response page =
          S3Calls.io("LIST", prefix, () -> s3.listObjectsV2(request.build()));
      page.contents().forEach(each);
      token =
          Boolean.TRUE.equals(page.isTruncated())
              ? Optional.ofNullable(page.nextContinuationToken())
              : Optional.empty();
    } while (token.isPresent());
  }

  private void delete(String key) throws IOException {
    DeleteObjectRequest delete =
        DeleteObjectRequest.builder().bucket(layout.bucket()).key(key).build();
    S3Calls.io("DELETE", key, () -> s3.deleteObject(delete));
  }

  @Override
  public String toString() {
    return "StoreEviction[s3://" + layout.bucket() + "/" + layout.prefix() + "]";
  }
}
