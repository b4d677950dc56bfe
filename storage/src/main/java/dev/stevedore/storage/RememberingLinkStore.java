package dev.stevedore.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;

/**
 * What every link store shares, wherever its records are: links read or written lately are
 * remembered in memory (a bounded set, keyed by the link's names, not its path or key: a hot
 * repository's requests check their links without touching the store and without building and
 * validating a path, which cost a quarter of a cached manifest GET). Links are never removed, so a
 * link seen once stays true. Subclasses say how a record is found and made.
 */
abstract class RememberingLinkStore implements LinkStore {

  /** Links remembered in memory; an entry is a few hundred bytes. */
  private static final long MEMORY_LINKS = 100_000;

  /** One link by its names; remembered only after the store accepted them. */
  private record Link(String registry, String repository, Digest digest) {}

  private final Cache<Link, Boolean> known =
      Caffeine.newBuilder().maximumSize(MEMORY_LINKS).build();

  /** Whether the store holds the link's record. Blocking I/O; refuses invalid names. */
  abstract boolean exists(String registry, String repository, Digest digest) throws IOException;

  /** Records the link in the store; recording one that exists is harmless. Blocking I/O. */
  abstract void create(String registry, String repository, Digest digest) throws IOException;

  @Override
  public final boolean cached(String registry, String repository, Digest digest) {
    return known.getIfPresent(new Link(registry, repository, digest)) != null;
  }

  @Override
  public final boolean has(String registry, String repository, Digest digest) throws IOException {
    Link link = new Link(registry, repository, digest);
    if (known.getIfPresent(link) != null) {
      return true;
    }
    if (exists(registry, repository, digest)) {
      known.put(link, Boolean.TRUE);
      return true;
    }
    return false;
  }

  @Override
  public final void put(String registry, String repository, Digest digest) throws IOException {
    Link link = new Link(registry, repository, digest);
    if (known.getIfPresent(link) != null) {
      return;
    }
    create(registry, repository, digest);
    known.put(link, Boolean.TRUE);
  }
}
