package dev.stevedore.server.cluster;

import dev.stevedore.core.cluster.Cluster;
import dev.stevedore.core.upstream.BlobDownload;
import dev.stevedore.server.DaemonThreads;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.Lease;
import dev.stevedore.storage.S3Leases;
import java.io.IOException;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicas sharing one store, with no membership service: the store itself decides who
 * downloads. A download is claimed with a lease object ({@link S3Leases}: created with {@code
 * If-None-Match: *}, renewed every third of its time to live and taken over once expired with
 * {@code If-Match}); the lease names the holder's advertised address, where followers relay the
 * growing blob from ({@link PeerRelay}). A holder that dies stops renewing: within the time to live
 * another replica takes the download over.
 */
public final class StoreCluster implements Cluster, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StoreCluster.class);

  private final S3Leases leases;
  private final String advertise;
  private final String replicaId;
  private final PeerRelay peers;
  private final ScheduledExecutorService renewals =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("stevedore-leases"));
  private final AtomicInteger held = new AtomicInteger();
  private final AtomicLong lost = new AtomicLong();

  public StoreCluster(S3Leases leases, URI advertise, String replicaId, PeerRelay peers) {
    this.leases = Objects.requireNonNull(leases, "leases");
    this.advertise = Objects.requireNonNull(advertise, "advertise").toString();
    this.replicaId = Objects.requireNonNull(replicaId, "replicaId");
    this.peers = Objects.requireNonNull(peers, "peers");
  }

  @Override
  public Flight claim(String name) throws IOException {
    S3Leases.Claim claim = leases.claim(name, advertise, replicaId);
    if (claim instanceof S3Leases.Claim.Mine mine) {
      return new Flight.Lead(lead(mine.lease()));
    }
    return new Flight.Follow(URI.create(claim.lease().holder()));
  }

  @Override
  public BlobDownload relay(URI holder, String upstream, Digest digest, long offset)
      throws IOException {
    return peers.open(holder, upstream, digest, offset);
  }

  /** Leases this replica holds now. */
  public int leasesHeld() {
    return held.get();
  }

  /** Leases this replica lost while holding them (taken over by another: it was presumed dead). */
  public long leasesLost() {
    return lost.get();
  }

  /** Holds the lease, renewing it until the leadership closes. */
  private Leadership lead(Lease lease) {
    AtomicReference<Lease> current = new AtomicReference<>(lease);
    long every = Math.max(1, leases.ttl().toMillis() / 3);
    held.incrementAndGet();
    ScheduledFuture<?> renewing =
        renewals.scheduleWithFixedDelay(() -> renew(current), every, every, TimeUnit.MILLISECONDS);
    AtomicReference<Boolean> closed = new AtomicReference<>(false);
    return () -> {
      if (closed.getAndSet(true)) {
        return;
      }
      renewing.cancel(false);
      held.decrementAndGet();
      Lease last = current.get();
      if (last != null) {
        leases.release(last);
      }
    };
  }

  private void renew(AtomicReference<Lease> current) {
    Lease mine = current.get();
    if (mine == null) {
      return;
    }
    try {
      Optional<Lease> renewed = leases.renew(mine);
      if (renewed.isPresent()) {
        current.set(renewed.get());
      } else {
        current.set(null); // taken over: the download goes on, but it no longer leads
        lost.incrementAndGet();
        log.warn("lost the lease {} to another replica", mine.name());
      }
    } catch (IOException | RuntimeException e) {
      log.warn("cannot renew the lease {}: {}", mine.name(), e.toString());
    }
  }

  @Override
  public void close() {
    renewals.shutdownNow();
  }
}
