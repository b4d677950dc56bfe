package dev.stevedore.core.cache;

import dev.stevedore.core.model.RepositoryName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Manifest pulls per image since start, for the status page. Image names come from clients, so this
 * is never a metric tag; memory stays bounded: at most {@code capacity} names are tracked, and a
 * new name arriving when full replaces the least-pulled one (its count is lost, the total is not).
 * Thread-safe; counting is lock-free once a name is tracked, so event loops do not contend on it.
 */
public final class PullStats {
  /** Names tracked by default: enough for the busiest caches' top ten to be exact. */
  public static final int DEFAULT_CAPACITY = 1000;

  private static final Comparator<ImagePulls> MOST_PULLED =
      Comparator.comparingLong(ImagePulls::pulls).reversed().thenComparing(ImagePulls::image);

  private final int capacity;
  private final Map<Image, LongAdder> pullsByImage = new ConcurrentHashMap<>();
  private final LongAdder total = new LongAdder();

  /** The key of one tracked image; formatted only when read. */
  private record Image(String upstream, RepositoryName repository) {
    @Override
    public String toString() {
      return upstream + "/" + repository.value();
    }
  }

  public PullStats() {
    this(DEFAULT_CAPACITY);
  }

  public PullStats(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
  }

  /** One image's pull count. */
  public record ImagePulls(String image, long pulls) {
    public ImagePulls {
      Objects.requireNonNull(image, "image");
    }
  }

  /** Counts one manifest GET of {@code repository} from {@code upstream}, by tag or by digest. */
  public void record(String upstream, RepositoryName repository) {
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(repository, "repository");
    total.increment();
    Image image = new Image(upstream, repository);
    LongAdder pulls = pullsByImage.get(image);
    if (pulls == null) {
      pulls = track(image);
    }
    pulls.increment();
  }

  /** Starts counting a new name, making room first; rare, so it may take the lock. */
  private synchronized LongAdder track(Image image) {
    LongAdder pulls = pullsByImage.get(image);
    if (pulls == null) {
      if (pullsByImage.size() >= capacity) {
        evictLeastPulled();
      }
      pulls = new LongAdder();
      pullsByImage.put(image, pulls);
    }
    return pulls;
  }

  private void evictLeastPulled() {
    Image least = null;
    long fewest = Long.MAX_VALUE;
    for (Map.Entry<Image, LongAdder> entry : pullsByImage.entrySet()) {
      long pulls = entry.getValue().sum();
      if (pulls < fewest) {
        least = entry.getKey();
        fewest = pulls;
      }
    }
    pullsByImage.remove(least);
  }

  /** The {@code limit} most pulled images, most first (ties by name). */
  public List<ImagePulls> top(int limit) {
    List<ImagePulls> all = new ArrayList<>(pullsByImage.size());
    pullsByImage.forEach((image, pulls) -> all.add(new ImagePulls(image.toString(), pulls.sum())));
    all.sort(MOST_PULLED);
    return List.copyOf(all.subList(0, Math.min(limit, all.size())));
  }

  /** Every pull recorded, including those of names no longer tracked. */
  public long total() {
    return total.sum();
  }

  /** Names currently tracked (at most the capacity). */
  public int tracked() {
    return pullsByImage.size();
  }
}
