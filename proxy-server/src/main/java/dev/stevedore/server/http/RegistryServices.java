package dev.stevedore.server.http;

import dev.stevedore.core.cache.BlobService;
import dev.stevedore.core.cache.ManifestService;
import dev.stevedore.core.upstream.Upstreams;
import java.util.Objects;
import java.util.concurrent.Executor;

/** What the HTTP layer calls: upstream selection, the caching services and the disk executor. */
public record RegistryServices(
    Upstreams upstreams, ManifestService manifests, BlobService blobs, Executor disk) {
  public RegistryServices {
    Objects.requireNonNull(upstreams, "upstreams");
    Objects.requireNonNull(manifests, "manifests");
    Objects.requireNonNull(blobs, "blobs");
    Objects.requireNonNull(disk, "disk");
  }
}
