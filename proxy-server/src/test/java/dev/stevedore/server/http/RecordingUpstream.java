package dev.stevedore.server.http;

import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.upstream.BlobDownload;
import dev.stevedore.core.upstream.BlobHead;
import dev.stevedore.core.upstream.ManifestHead;
import dev.stevedore.core.upstream.ManifestResponse;
import dev.stevedore.core.upstream.TagListResponse;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.storage.Digest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An upstream that records every call. It answers nothing but tag lists (when {@link #tags} is
 * set); every other call is refused: it is recorded in {@link #refused} and fails with an {@link
 * AssertionError}, so a test sees it both in the response and in the record.
 */
final class RecordingUpstream implements Upstream {
  private final String name;
  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<String> refused = new CopyOnWriteArrayList<>();
  volatile TagListResponse tags;

  RecordingUpstream(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletableFuture<ManifestResponse> getManifest(
      RepositoryName repo, Reference ref, List<String> accept) {
    return refuse("getManifest " + repo + " " + ref);
  }

  @Override
  public CompletableFuture<ManifestHead> headManifest(
      RepositoryName repo, Reference ref, List<String> accept) {
    return refuse("headManifest " + repo + " " + ref);
  }

  @Override
  public CompletableFuture<BlobHead> headBlob(RepositoryName repo, Digest digest) {
    return refuse("headBlob " + repo + " " + digest);
  }

  @Override
  public CompletableFuture<BlobDownload> getBlob(RepositoryName repo, Digest digest) {
    return refuse("getBlob " + repo + " " + digest);
  }

  @Override
  public CompletableFuture<TagListResponse> listTags(RepositoryName repo, String rawQuery) {
    String call = "listTags " + repo + " " + rawQuery;
    TagListResponse answer = tags;
    if (answer == null) {
      return refuse(call);
    }
    calls.add(call);
    return CompletableFuture.completedFuture(answer);
  }

  private <T> CompletableFuture<T> refuse(String call) {
    calls.add(call);
    refused.add(call);
    return CompletableFuture.failedFuture(
        new AssertionError("unexpected call to upstream " + name + ": " + call));
  }
}
