package dev.stevedore.server.http;

import dev.stevedore.core.cache.BlobService;
import dev.stevedore.core.cache.ManifestService;
import dev.stevedore.core.cache.PullStats;
import dev.stevedore.core.upstream.Upstreams;
import dev.stevedore.server.HealthCheck;
import dev.stevedore.server.metrics.StevedoreMetrics;
import dev.stevedore.server.store.BlobRedirects;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * What the HTTP layer calls: upstream selection, the caching services and the disk executor; and
 * what it reports to: metrics and the pull statistics of the status page.
 */
public record RegistryServices(
    Upstreams upstreams,
    ManifestService manifests,
    BlobService blobs,
    Executor disk,
    StevedoreMetrics metrics,
    HealthCheck health,
    Supplier<String> statusPage,
    PullStats pulls,
    Optional<BlobRedirects> blobRedirects,
    Optional<RelayAccess> relayAccess) {
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
  }

  /** Services whose pulls nobody reads, without blob redirects, alone (no cluster). */
  public RegistryServices(
      Upstreams upstreams,
      ManifestService manifests,
      BlobService blobs,
      Executor disk,
      StevedoreMetrics metrics,
      HealthCheck health,
      Supplier<String> statusPage) {
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
        Optional.empty());
  }
}
