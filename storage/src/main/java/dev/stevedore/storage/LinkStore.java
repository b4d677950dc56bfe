package dev.stevedore.storage;

import java.io.IOException;

/**
 * Which digests each repository of each upstream has, as distribution's repository links record it.
 * Blobs and manifests are stored once by digest and shared, but one is served through a repository
 * only when that repository has a link to it, so a client that learns a digest cannot read it
 * through a repository that does not hold it. Callers validate names; the store still refuses any
 * component that could leave its directory.
 */
public interface LinkStore {

  /** Whether the link is known without touching the disk; never blocks. */
  boolean cached(String registry, String repository, Digest digest);

  /** Whether the repository has a link to {@code digest}. Blocking file I/O. */
  boolean has(String registry, String repository, Digest digest) throws IOException;

  /** Records the link; recording a link that exists is a no-op. Blocking file I/O. */
  void put(String registry, String repository, Digest digest) throws IOException;
}
