package dev.stevedore.core.cache;

import dev.stevedore.core.model.RepositoryName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Manifest pulls per image since start, for the status page. Image names come from clients, so this
 * is never a metric tag; memory stays bounded: at most {@code capacity} names are tracked, and a
 * new name arriving when full replaces the least-pulled one (its count is lost, the total is not).
 * Thread-safe; every call is in memory and cheap enough for the event loop.
 */
public final class PullStats {
  /** Names tracked by default: enough for the busiest caches' top ten to be exact. */
  public static final int DEFAULT_CAPACITY = 1000;

  private static final Comparator<ImagePulls> MOST_PULLED =
      Comparator.comparingLong(ImagePulls::pulls).reversed().thenComparing(ImagePulls::image);

  private final int capacity;
  private final Map<String, Long> pullsByImage = new HashMap<>();
  private long total;

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
    record(upstream + "/" + repository.value());
  }

  private synchronized void record(String image) {
    total++;
    Long pulls = pullsByImage.get(image);
    if (pulls == null && pullsByImage.size() >= capacity) {
      evictLeastPulled();
    }
    pullsByImage.put(image, pulls == null ? 1 : pulls + 1);
  }

  private void evictLeastPulled() {
    String least = null;
    long fewest = Long.MAX_VALUE;
    for (Map.Entry<String, Long> entry : pullsByImage.entrySet()) {
      if (entry.getValue() < fewest) {
        least = entry.getKey();
        fewest = entry.getValue();
      }
    }
    pullsByImage.remove(least);
  }

  /** The {@code limit} most pulled images, most first (ties by name). */
  public synchronized List<ImagePulls> top(int limit) {
    List<ImagePulls> all = new ArrayList<>(pullsByImage.size());
    pullsByImage.forEach((image, pulls) -> all.add(new ImagePulls(image, pulls)));
    all.sort(MOST_PULLED);
    return List.copyOf(all.subList(0, Math.min(limit, all.size())));
  }

  /** Every pull recorded, including those of names no longer tracked. */
  public synchronized long total() {
    return total;
  }

  /** Names currently tracked (at most the capacity). */
  public synchronized int tracked() {
    return pullsByImage.size();
  }
}
