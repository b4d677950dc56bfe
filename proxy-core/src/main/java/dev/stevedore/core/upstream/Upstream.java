package dev.stevedore.core.upstream;

import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.storage.Digest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One upstream registry as the caching services see it. Every call is async and fails with a {@link
 * dev.stevedore.core.error.RegistryException} that the client can be shown.
 */
public interface Upstream {

  /** The registry name, such as {@code docker.io}. */
  String name();

  CompletableFuture<ManifestResponse> getManifest(
      RepositoryName repo, Reference ref, List<String> accept);

  CompletableFuture<ManifestHead> headManifest(
      RepositoryName repo, Reference ref, List<String> accept);

  CompletableFuture<BlobHead> headBlob(RepositoryName repo, Digest digest);

  CompletableFuture<BlobDownload> getBlob(RepositoryName repo, Digest digest);

  CompletableFuture<TagListResponse> listTags(RepositoryName repo, String rawQuery);

  /**
   * The referrers index of {@code subject} (OCI distribution 1.1), filtered by {@code artifactType}
   * when the upstream can; empty when the upstream has no referrers API, which sends clients to the
   * {@code sha256-<hex>} tag schema. An upstream that does not implement it has none.
   */
  default CompletableFuture<Optional<ReferrersResponse>> referrers(
      RepositoryName repo, Digest subject, Optional<String> artifactType) {
    return CompletableFuture.completedFuture(Optional.empty());
  }

  /** The pull budget the upstream last stated, if it states one. */
  default Optional<RateLimit> rateLimit() {
    return Optional.empty();
  }
}
