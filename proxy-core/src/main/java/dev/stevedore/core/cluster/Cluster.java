package dev.stevedore.core.cluster;

import dev.stevedore.core.upstream.BlobDownload;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.net.URI;

/**
 * The other replicas sharing this one's store, as the caching services see them: who downloads a
 * blob for the whole cluster ({@link #claimBlob}), and how to read a blob another replica is
 * downloading ({@link #relay}). {@link #SOLO} is a replica alone: it always leads.
 *
 * <p>Every method is blocking (store and network I/O): call it off the event loop.
 */
public interface Cluster {

  /** A replica alone: every download is its own, there is nobody to relay from. */
  Cluster SOLO =
      new Cluster() {
        @Override
        public Flight claim(String name) {
          return new Flight.Lead(() -> {});
        }

        @Override
        public BlobDownload relay(URI holder, String upstream, Digest digest, long offset)
            throws IOException {
          throw new IOException("no cluster: nothing to relay from " + holder);
        }
      };

  /**
   * Claims the upstream request {@code name} stands for ({@link ClaimNames}) for the cluster: this
   * replica leads it (and holds the claim until it closes its {@link Leadership}), or another
   * replica, alive by its claim, does and this one follows it.
   */
  Flight claim(String name) throws IOException;

  /** Claims the upstream download of {@code digest} through {@code upstream}. */
  default Flight claimBlob(String upstream, Digest digest) throws IOException {
    return claim(ClaimNames.blob(upstream, digest));
  }

  /**
   * Opens the blob {@code holder} is downloading (or holds), from byte {@code offset}: its body
   * streams as the holder receives it. The length is the whole blob's, or -1 when unknown.
   *
   * @throws IOException when the holder cannot be reached or does not have the blob
   */
  BlobDownload relay(URI holder, String upstream, Digest digest, long offset) throws IOException;

  /** Who makes an upstream request for the cluster. */
  sealed interface Flight {
    /** This replica makes it; closing the leadership releases the claim. */
    record Lead(Leadership leadership) implements Flight {}

    /** Another replica, reachable at {@code holder}, makes it. */
    record Follow(URI holder) implements Flight {}
  }

  /** A claim held for the cluster, kept alive until closed. */
  @FunctionalInterface
  interface Leadership extends AutoCloseable {
    /** Releases the claim, so nobody waits for it to expire. Never throws. */
    @Override
    void close();
  }
}
