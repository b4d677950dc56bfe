package dev.stevedore.server.http;

import dev.stevedore.core.cache.BlobService;
import dev.stevedore.core.cache.ManifestService;
import dev.stevedore.core.upstream.Upstreams;
import dev.stevedore.server.HealthCheck;
import dev.stevedore.server.metrics.StevedoreMetrics;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/** What the HTTP layer calls: upstream selection, the caching services and the disk executor. */
public record RegistryServices(
    Upstreams upstreams,
    ManifestService manifests,
    BlobService blobs,
    Executor disk,
    StevedoreMetrics metrics,
    HealthCheck health,
    Supplier<String> statusPage) {
  public RegistryServices {
    Objects.requireNonNull(upstreams, "upstreams");
    Objects.requireNonNull(manifests, "manifests");
    Objects.requireNonNull(blobs, "blobs");
    Objects.requireNonNull(disk, "disk");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(statusPage, "statusPage");
  }
}
