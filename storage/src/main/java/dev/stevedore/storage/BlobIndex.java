package dev.stevedore.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.io.IOException;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The committed blobs on disk and their sizes: a Caffeine cache keyed by digest and weighted by
 * size, whose W-TinyLFU policy picks which blobs leave when a budget is set. Frequency decides, not
 * only recency: the base images every pull touches stay, while one big one-off pull is turned away
 * rather than flushing them.
 *
 * <p>An evicted blob's file is deleted, but never under a reader. Readers hold the file open (an
 * unlinked file lives until its last handle closes), so only the moment of opening needs cover: the
 * store opens a blob under a <em>pin</em> ({@link #pin}, counted, until closed). Deletion of a
 * pinned blob is deferred until the last pin closes; a blob used again before then is simply kept.
 * Deletion, pins and uses of one digest are serialised by a striped lock, so a blob committed again
 * while its eviction is pending is never deleted after the fact.
 *
 * <p>Sizes are weighed in KiB, rounded up, so the bytes indexed never exceed the budget.
 * Thread-safe. Methods may delete files: call them off the event loop.
 */
public final class BlobIndex {
  private static final Logger log = LoggerFactory.getLogger(BlobIndex.class);

  private static final long WEIGHT_UNIT = 1024;
  private static final int STRIPES = 256;

  /** Deletes a committed blob's file; returns whether it existed. */
  @FunctionalInterface
  public interface Deleter {
    boolean delete(Digest digest) throws IOException;
  }

  /** Keeps a blob's file on disk until closed. Closing twice is harmless. */
  public interface Pin extends AutoCloseable {
    @Override
    void close();
  }

  /** Settings of a new index. */
  public static final class Builder {
    private OptionalLong budget = OptionalLong.empty();
    private EvictionListener listener = EvictionListener.NONE;

    private Builder() {}

    /** The most bytes of blobs to keep; empty (the default) means unlimited. */
    public Builder budget(OptionalLong bytes) {
      Objects.requireNonNull(bytes, "bytes");
      if (bytes.isPresent() && bytes.getAsLong() <= 0) {
        throw new IllegalArgumentException("budget must be positive: " + bytes.getAsLong());
      }
      this.budget = bytes;
      return this;
    }

    public Builder listener(EvictionListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** An empty index whose evictions delete files with {@code deleter}. */
    public BlobIndex build(Deleter deleter) {
      return new BlobIndex(this, Objects.requireNonNull(deleter, "deleter"));
    }
  }

  private final OptionalLong budget;
  private final EvictionListener listener;
  private final Deleter deleter;
  private final Cache<Digest, Long> entries;
  private final ConcurrentHashMap<Digest, Long> evicted = new ConcurrentHashMap<>();

  /** Pins per digest, only while positive; changed under the digest's stripe. */
  private final ConcurrentHashMap<Digest, Integer> pins = new ConcurrentHashMap<>();

  private final Object[] stripes = new Object[STRIPES];
  private final long maxWeight;
  private final LongAdder bytes = new LongAdder();
  private final LongAdder units = new LongAdder();
  private final LongAdder count = new LongAdder();
  private final LongAdder pendingBytes = new LongAdder();
  private final AtomicLong evictions = new AtomicLong();
  private final AtomicBoolean newlyEvicted = new AtomicBoolean();

  private BlobIndex(Builder settings, Deleter deleter) {
    this.budget = settings.budget;
    this.listener = settings.listener;
    this.deleter = deleter;
    this.maxWeight = budget.isPresent() ? budget.getAsLong() / WEIGHT_UNIT : -1;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
    // Maintenance (and so eviction) runs on the calling thread, which is never an event loop.
    Caffeine<Digest, Long> builder =
        Caffeine.newBuilder()
            .executor(Runnable::run)
            .removalListener(
                (Digest digest, Long size, RemovalCause cause) -> removed(digest, size, cause));
    if (budget.isPresent()) {
      builder = builder.maximumWeight(maxWeight).weigher(BlobIndex::weigh);
    }
    this.entries = builder.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The blob is on disk and being read or was just written: records the access (it counts towards
   * the blob's frequency) and indexes the blob if it was unknown. Evicts other blobs if the budget
   * is exceeded.
   */
  public void use(Digest digest, long size) {
    requireSize(digest, size);
    synchronized (stripe(digest)) {
      unevict(digest);
      if (entries.getIfPresent(digest) == null) {
        insert(digest, size);
      }
    }
    afterChange();
  }

  /**
   * Counts an access to a blob already indexed, without locks: a blob served from a copy in memory
   * (a manifest) needs no file, so nothing about its deletion changes; only its frequency does.
   * Never blocks; does nothing for a blob the index does not hold.
   */
  public void touch(Digest digest) {
    entries.getIfPresent(digest);
  }

  /**
   * Indexes a blob found on disk without counting an access (rebuilding the index at start). Fed
   * the most valuable first, it keeps each blob that still fits the budget and evicts the others,
   * deleting their files like any eviction. A blob already indexed or awaiting deletion is left as
   * it is. Returns whether the blob is indexed.
   */
  public boolean load(Digest digest, long size) {
    requireSize(digest, size);
    boolean kept = true;
    synchronized (stripe(digest)) {
      if (evicted.containsKey(digest)) {
        kept = false;
      } else if (!entries.asMap().containsKey(digest)) {
        if (maxWeight >= 0 && units.sum() + weigh(digest, size) > maxWeight) {
          evicted.put(digest, size);
          pendingBytes.add(size);
          kept = false;
        } else {
          insert(digest, size);
        }
      }
    }
    if (!kept) {
      settle(digest);
    }
    afterChange();
    return kept;
  }

  /** The blob's file is gone (deleted or never there): drops it without counting an eviction. */
  public void forget(Digest digest) {
    Objects.requireNonNull(digest, "digest");
    synchronized (stripe(digest)) {
      unevict(digest);
      entries.invalidate(digest);
    }
    afterChange();
  }

  /** Keeps {@code digest}'s file on disk, even if evicted, until the pin is closed. */
  public Pin pin(Digest digest) {
    Objects.requireNonNull(digest, "digest");
    synchronized (stripe(digest)) {
      pins.merge(digest, 1, Integer::sum);
    }
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        unpin(digest);
      }
    };
  }

  public boolean contains(Digest digest) {
    return entries.asMap().containsKey(digest);
  }

  /** Runs pending eviction work now and deletes the evicted blobs no longer pinned. */
  public void cleanUp() {
    entries.cleanUp();
    settleEvicted();
  }

  /** The budget in bytes, or empty when unlimited. */
  public OptionalLong budget() {
    return budget;
  }

  /** Bytes of the blobs indexed. */
  public long bytes() {
    return Math.max(0, bytes.sum());
  }

  /** Bytes of evicted blobs whose files wait for their pins to close before they are deleted. */
  public long pendingBytes() {
    return Math.max(0, pendingBytes.sum());
  }

  /** Bytes of blob files on disk that the index knows of: indexed plus awaiting deletion. */
  public long diskBytes() {
    return bytes() + pendingBytes();
  }

  /** Number of blobs indexed. */
  public long count() {
    return Math.max(0, count.sum());
  }

  /** Blobs evicted (their files deleted) since the index was built. */
  public long evictions() {
    return evictions.get();
  }

  private void insert(Digest digest, long size) {
    bytes.add(size);
    units.add(weigh(digest, size));
    count.increment();
    if (entries.asMap().putIfAbsent(digest, size) != null) {
      bytes.add(-size);
      units.add(-weigh(digest, size));
      count.decrement();
    }
  }

  /** Caffeine's removal listener, run on the thread that removed the entry; takes no stripe. */
  private void removed(Digest digest, Long size, RemovalCause cause) {
    if (digest == null || size == null) {
      return;
    }
    bytes.add(-size);
    units.add(-weigh(digest, size));
    count.decrement();
    if (cause.wasEvicted()) {
      Long previous = evicted.put(digest, size);
      pendingBytes.add(size - (previous == null ? 0 : previous));
      newlyEvicted.set(true);
    }
  }

  /** Drops a pending deletion because the blob is wanted again; caller holds the stripe. */
  private void unevict(Digest digest) {
    Long size = evicted.remove(digest);
    if (size != null) {
      pendingBytes.add(-size);
    }
  }

  private void unpin(Digest digest) {
    synchronized (stripe(digest)) {
      pins.computeIfPresent(digest, (d, count) -> count > 1 ? count - 1 : null);
    }
    if (evicted.containsKey(digest)) {
      settle(digest);
    }
  }

  private void afterChange() {
    if (newlyEvicted.getAndSet(false)) {
      settleEvicted();
    }
  }

  private void settleEvicted() {
    for (Digest digest : evicted.keySet()) {
      settle(digest);
    }
  }

  /** Deletes an evicted blob's file unless it is pinned or indexed again. */
  private void settle(Digest digest) {
    Long size;
    boolean deleted = false;
    synchronized (stripe(digest)) {
      size = evicted.get(digest);
      if (size == null) {
        return;
      }
      if (entries.asMap().containsKey(digest)) {
        unevict(digest);
        return;
      }
      if (pins.containsKey(digest)) {
        return;
      }
      unevict(digest);
      try {
        deleter.delete(digest);
        deleted = true;
      } catch (IOException | RuntimeException e) {
        log.warn("Cannot delete evicted blob {}: {}", digest, e.toString());
      }
    }
    if (deleted) {
      evictions.incrementAndGet();
      log.debug("Evicted blob {} ({} bytes)", digest, size);
      listener.evicted(digest, size);
    }
  }

  private Object stripe(Digest digest) {
    return stripes[Math.floorMod(digest.hex().hashCode(), STRIPES)];
  }

  private static int weigh(Digest digest, Long size) {
    long units = (size + WEIGHT_UNIT - 1) / WEIGHT_UNIT;
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, units));
  }

  private static void requireSize(Digest digest, long size) {
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size + " of " + digest);
    }
  }
}
