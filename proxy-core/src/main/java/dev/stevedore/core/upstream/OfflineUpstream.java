package dev.stevedore.core.upstream;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.storage.Digest;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The upstream of a Stevedore running {@code --offline}: it is never contacted, so whatever the
 * cache lacks is unknown ({@code MANIFEST_UNKNOWN}, {@code BLOB_UNKNOWN}).
 */
public final class OfflineUpstream implements Upstream {
  private final String name;

  public OfflineUpstream(String name) {
    this.name = Objects.requireNonNull(name, "name");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletableFuture<ManifestResponse> getManifest(
      RepositoryName repo, Reference ref, List<String> accept) {
    return manifestMiss(repo, ref);
  }

  @Override
  public CompletableFuture<ManifestHead> headManifest(
      RepositoryName repo, Reference ref, List<String> accept) {
    return manifestMiss(repo, ref);
  }

  @Override
  public CompletableFuture<BlobHead> headBlob(RepositoryName repo, Digest digest) {
    return blobMiss(repo, digest);
  }

  @Override
  public CompletableFuture<BlobDownload> getBlob(RepositoryName repo, Digest digest) {
    return blobMiss(repo, digest);
  }

  @Override
  public CompletableFuture<TagListResponse> listTags(RepositoryName repo, String rawQuery) {
    return CompletableFuture.failedFuture(
        ErrorCode.UNAVAILABLE.exception(
            "tag lists need upstream " + name + "; stevedore is offline"));
  }

  private <T> CompletableFuture<T> manifestMiss(RepositoryName repo, Reference ref) {
    return CompletableFuture.failedFuture(
        ErrorCode.MANIFEST_UNKNOWN.exception(
            "manifest " + repo + ":" + ref + " is not cached and stevedore is offline"));
  }

  private <T> CompletableFuture<T> blobMiss(RepositoryName repo, Digest digest) {
    return CompletableFuture.failedFuture(
        ErrorCode.BLOB_UNKNOWN.exception(
            "blob " + repo + "@" + digest + " is not cached and stevedore is offline"));
  }
}
