package dev.stevedore.server.http;

import dev.stevedore.core.cache.BlobService;
import dev.stevedore.core.cache.ManifestService;
import dev.stevedore.core.cache.PullStats;
import dev.stevedore.core.upstream.Upstreams;
import dev.stevedore.server.HealthCheck;
import dev.stevedore.server.metrics.StevedoreMetrics;
import dev.stevedore.server.setup.MirrorAddress;
import dev.stevedore.server.setup.NodeSetup;
import dev.stevedore.server.status.RecentClients;
import dev.stevedore.server.store.BlobRedirects;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * What the HTTP layer calls: upstream selection, the caching services and the disk executor, the
 * nodes' setup scripts; and what it reports to: metrics and the pull statistics of the status page.
 *
 * @param statusPage the status page for the address nodes are pointed at (empty when the request
 *     names none usable)
 * @param clients the clients that pulled manifests, for the status page's nodes table
 */
public record RegistryServices(
    Upstreams upstreams,
    ManifestService manifests,
    BlobService blobs,
    Executor disk,
    StevedoreMetrics metrics,
    HealthCheck health,
    Function<Optional<MirrorAddress>, String> statusPage,
    PullStats pulls,
    Optional<BlobRedirects> blobRedirects,
    Optional<RelayAccess> relayAccess,
    NodeSetup setup,
    RecentClients clients) {
  public RegistryServices {
    Objects.requireNonNull(upstreams, "upstreams");
    Objects.requireNonNull(manifests, "manifests");
    Objects.requireNonNull(blobs, "blobs");
    Objects.requireNonNull(disk, "disk");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(statusPage, "statusPage");
    Objects.requireNonNull(pulls, "pulls");
    Objects.requireNonNull(blobRedirects, "blobRedirects");
    Objects.requireNonNull(relayAccess, "relayAccess");
    Objects.requireNonNull(setup, "setup");
    Objects.requireNonNull(clients, "clients");
  }

  /**
   * Services whose pulls and clients nobody reads, without blob redirects, alone (no cluster), set
   * up for plain HTTP at the address nodes ask.
   */
  public RegistryServices(
      Upstreams upstreams,
      ManifestService manifests,
      BlobService blobs,
      Executor disk,
      StevedoreMetrics metrics,
      HealthCheck health,
      Function<Optional<MirrorAddress>, String> statusPage) {
    this(
        upstreams,
        manifests,
        blobs,
        disk,
        metrics,
        health,
        statusPage,
        new PullStats(),
        Optional.empty(),
        Optional.empty(),
        new NodeSetup(
            upstreams.all().stream().map(upstream -> upstream.name()).toList(),
            upstreams.select(Optional.empty()).name(),
            Optional.empty(),
            Optional.empty()),
        new RecentClients(Clock.systemUTC()));
  }
}
