package dev.stevedore.core.cache;

import static dev.stevedore.core.cache.Futures.supplyBlocking;

import dev.stevedore.core.cluster.Cluster;
import dev.stevedore.core.metrics.CacheMetrics;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.upstream.BlobDownload;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.storage.BlobReader;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the download of a blob this replica does not have, as one cache with the other replicas of
 * its store: it claims the download for the cluster ({@link Cluster#claimBlob}); the leader fetches
 * from upstream, a follower relays the growing blob from the leader. A follower whose leader dies
 * continues from the byte it reached ({@link Relay}): from another holder, from the store once the
 * blob landed there, or from upstream once the dead leader's claim expired and this replica took it
 * over. Alone ({@link Cluster#SOLO}) every download is led, as before clusters.
 */
final class ClusterDownloads {
  private static final Logger log = LoggerFactory.getLogger(ClusterDownloads.class);

  /** How long a follower keeps trying to continue a broken relay before failing its readers. */
  static final Duration PATIENCE = Duration.ofSeconds(90);

  private static final Duration RETRY = Duration.ofMillis(500);
  private static final java.util.concurrent.TimeUnit MILLIS =
      java.util.concurrent.TimeUnit.MILLISECONDS;

  private final Cluster cluster;
  private final BlobStore store;
  private final RepositoryLinks links;
  private final Executor disk;
  private final Executor fetch;
  private final CacheMetrics metrics;

  ClusterDownloads(
      Cluster cluster,
      BlobStore store,
      RepositoryLinks links,
      Executor disk,
      Executor fetch,
      CacheMetrics metrics) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.store = Objects.requireNonNull(store, "store");
    this.links = Objects.requireNonNull(links, "links");
    this.disk = Objects.requireNonNull(disk, "disk");
    this.fetch = Objects.requireNonNull(fetch, "fetch");
  }

  /**
   * A download begun: its first body, how to continue it if that body breaks, what to release when
   * it ends, and whether its bytes come from a peer (then the peer puts it in the shared store, not
   * this replica).
   */
  record Started(BlobDownload download, Resumption resumption, Runnable release, boolean relayed) {}

  /** Begins the download; empty when the blob was stored meanwhile (nothing to download). */
  CompletableFuture<Optional<Started>> begin(
      Upstream upstream, RepositoryName repo, Digest digest) {
    return supplyBlocking(() -> cluster.claimBlob(upstream.name(), digest), disk)
        .thenCompose(
            flight -> {
              if (flight instanceof Cluster.Flight.Lead lead) {
                return lead(upstream, repo, digest, lead.leadership());
              }
              URI holder = ((Cluster.Flight.Follow) flight).holder();
              return follow(upstream, repo, digest, holder).thenApply(Optional::of);
            });
  }

  private CompletableFuture<Optional<Started>> lead(
      Upstream upstream, RepositoryName repo, Digest digest, Cluster.Leadership leadership) {
    // The last leader may have stored it and let go between our miss and our claim.
    return supplyBlocking(() -> store.stat(digest), disk)
        .thenCompose(
            stored -> {
              if (stored.isPresent()) {
                leadership.close();
                return CompletableFuture.completedFuture(Optional.<Started>empty());
              }
              return upstream
                  .getBlob(repo, digest)
                  .thenApply(
                      download ->
                          Optional.of(
                              new Started(download, Resumption.NONE, leadership::close, false)));
            })
        .whenComplete(
            (started, error) -> {
              if (error != null) {
                leadership.close();
              }
            });
  }

  /**
   * Follows {@code holder}'s download. The repository must have the blob first: its link, else an
   * upstream {@code HEAD} in its scope (the leader's {@code GET} was the check for its own
   * repository only).
   */
  private CompletableFuture<Started> follow(
      Upstream upstream, RepositoryName repo, Digest digest, URI holder) {
    return supplyBlocking(() -> links.has(upstream.name(), repo, digest), disk)
        .thenCompose(
            linked ->
                linked
                    ? CompletableFuture.<Void>completedFuture(null)
                    : links.confirm(upstream, repo, digest, RepositoryLinks.Kind.BLOB))
        .thenCompose(
            confirmed ->
                supplyBlocking(
                    () -> {
                      log.info("relaying blob {} from {}", digest, holder);
                      Relay relay = new Relay(upstream, repo, digest);
                      return new Started(relay.first(holder), relay, relay::close, true);
                    },
                    fetch));
  }

  /** A follower's download, continued wherever the blob still is when its body breaks. */
  private final class Relay implements Resumption {
    private final Upstream upstream;
    private final RepositoryName repo;
    private final Digest digest;
    private volatile Cluster.Leadership tookOver;

    Relay(Upstream upstream, RepositoryName repo, Digest digest) {
      this.upstream = upstream;
      this.repo = repo;
      this.digest = digest;
    }

    BlobDownload first(URI holder) throws IOException {
      try {
        return cluster.relay(holder, upstream.name(), digest, 0);
      } catch (IOException e) {
        log.info("cannot relay blob {} from {}: {}", digest, holder, e.getMessage());
        return from(0).orElseThrow(() -> new IOException("no source left for " + digest, e));
      }
    }

    @Override
    public Optional<BlobDownload> from(long offset) throws IOException {
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (System.nanoTime() < deadline) {
        Optional<BlobReader> stored = store.open(digest);
        if (stored.isPresent()) {
          return Optional.of(readerFrom(stored.get(), offset));
        }
        Cluster.Flight flight = cluster.claimBlob(upstream.name(), digest);
        if (flight instanceof Cluster.Flight.Lead lead) {
          tookOver = lead.leadership();
          metrics.takeover();
          log.info("took over the download of blob {} at byte {}", digest, offset);
          return Optional.of(upstreamFrom(offset));
        }
        URI holder = ((Cluster.Flight.Follow) flight).holder();
        try {
          return Optional.of(cluster.relay(holder, upstream.name(), digest, offset));
        } catch (IOException e) {
          log.debug("holder {} of {} does not answer: {}", holder, digest, e.getMessage());
        }
        sleep();
      }
      return Optional.empty();
    }

    /** Upstream's body with the first {@code offset} bytes (which this replica has) skipped. */
    private BlobDownload upstreamFrom(long offset) throws IOException {
      BlobDownload download;
      try {
        download = upstream.getBlob(repo, digest).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted fetching " + digest);
      } catch (ExecutionException e) {
        throw new IOException("cannot fetch " + digest + " from upstream", e.getCause());
      }
      try {
        download.body().skipNBytes(offset);
      } catch (IOException | RuntimeException e) {
        download.close();
        throw e;
      }
      return download;
    }

    private void sleep() throws InterruptedIOException {
      try {
        Thread.sleep(RETRY.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted waiting for a holder of " + digest);
      }
    }

    void close() {
      Cluster.Leadership held = tookOver;
      if (held != null) {
        held.close();
      }
    }
  }

  /** A stored blob's bytes from {@code offset}, as a download. */
  private static BlobDownload readerFrom(BlobReader reader, long offset) {
    return new BlobDownload(reader.size(), new ReaderInputStream(reader, offset));
  }

  /** Reads a {@link BlobReader} from a position on, as a stream; closing closes the reader. */
  private static final class ReaderInputStream extends InputStream {
    private final BlobReader reader;
    private long position;

    ReaderInputStream(BlobReader reader, long position) {
      this.reader = reader;
      this.position = position;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
      if (position >= reader.size()) {
        return -1;
      }
      int read = reader.read(java.nio.ByteBuffer.wrap(bytes, offset, length), position);
      while (read == 0 && !reader.failed()) { // a blob still being copied in: wait for its bytes
        try {
          reader.awaitReadable(position).toCompletableFuture().get(PATIENCE.toMillis(), MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted reading " + reader.digest());
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          throw new IOException("stored blob " + reader.digest() + " did not grow", e);
        }
        read = reader.read(java.nio.ByteBuffer.wrap(bytes, offset, length), position);
      }
      if (read <= 0) {
        throw new IOException("stored blob " + reader.digest() + " ended at byte " + position);
      }
      position += read;
      return read;
    }

    @Override
    public void close() {
      reader.close();
    }
  }
}
