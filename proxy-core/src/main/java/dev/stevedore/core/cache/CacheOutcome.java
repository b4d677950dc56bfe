package dev.stevedore.core.cache;

import java.util.Locale;
import java.util.Optional;

/** How the cache answered a request: the bounded outcome tag of metrics and the access log. */
public enum CacheOutcome {
  /** Served from disk without asking upstream (or after an upstream HEAD confirmed it). */
  HIT,
  /** Fetched from upstream for this request. */
  MISS,
  /** Served from disk because the upstream could not confirm it. */
  STALE,
  /** Joined a fetch another request had started. */
  COALESCED,
  /** Sent to the shared store's copy with a presigned URL ({@code --blob-redirect}). */
  REDIRECTED;

  private static final CacheOutcome[] ALL = values();

  private final String tag = name().toLowerCase(Locale.ROOT);

  /** The lowercase name used as a metric tag and in the access log. */
  public String tag() {
    return tag;
  }

  /** The outcome a metric tag names; empty for any other text (such as {@code none}). */
  public static Optional<CacheOutcome> ofTag(String tag) {
    for (CacheOutcome outcome : ALL) {
      if (outcome.tag.equals(tag)) {
        return Optional.of(outcome);
      }
    }
    return Optional.empty();
  }

  /** Whether the answer spared the upstream: served from the cache or from a fetch in flight. */
  public boolean sparedUpstream() {
    return this != MISS;
  }

  /** The outcome of a two-step answer (tag, then digest): the first step's unless it was a hit. */
  public CacheOutcome then(CacheOutcome next) {
    return this == HIT ? next : this;
  }
}
