package dev.stevedore.core.cache;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.upstream.BlobDownload;
import dev.stevedore.core.upstream.BlobHead;
import dev.stevedore.core.upstream.ManifestHead;
import dev.stevedore.core.upstream.ManifestResponse;
import dev.stevedore.core.upstream.TagListResponse;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.storage.Digest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** An in-memory upstream with counters, a switch to fail, and an optional gate to hold answers. */
final class FakeUpstream implements Upstream {
  static final HttpHeaders NO_HEADERS = HttpHeaders.of(Map.of(), (a, b) -> true);

  final Map<String, Manifest> tags = new ConcurrentHashMap<>();
  final Map<Digest, Manifest> manifests = new ConcurrentHashMap<>();
  final Map<Digest, byte[]> blobs = new ConcurrentHashMap<>();
  final AtomicInteger manifestGets = new AtomicInteger();
  final AtomicInteger manifestHeads = new AtomicInteger();
  final AtomicInteger blobGets = new AtomicInteger();
  final AtomicInteger blobHeads = new AtomicInteger();
  volatile RegistryException failure;
  volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
  volatile Function<byte[], InputStream> blobBodies = ByteArrayInputStream::new;

  /** The Accept lists of manifest requests, in order. */
  final List<List<String>> manifestAccepts = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Which repositories hold which digests; by default every repository holds everything. */
  volatile java.util.function.BiPredicate<RepositoryName, Digest> holds = (repo, digest) -> true;

  private final String name;

  FakeUpstream() {
    this("docker.io");
  }

  FakeUpstream(String name) {
    this.name = name;
  }

  record Manifest(byte[] body, String mediaType, Digest digest) {}

  Manifest putTag(String tag, String json, String mediaType) {
    byte[] body = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Manifest manifest = new Manifest(body, mediaType, Digest.sha256(body));
    tags.put(tag, manifest);
    manifests.put(manifest.digest(), manifest);
    return manifest;
  }

  Digest putBlob(byte[] content) {
    Digest digest = Digest.sha256(content);
    blobs.put(digest, content);
    return digest;
  }

  /** As the distribution registry does: a type the Accept list leaves out is a 404. */
  private static Manifest negotiated(Manifest manifest, List<String> accept) {
    if (!accept.isEmpty() && !accept.contains(manifest.mediaType())) {
      throw dev.stevedore.core.error.ErrorCode.MANIFEST_UNKNOWN.exception(
          "not available as " + accept);
    }
    return manifest;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletableFuture<ManifestResponse> getManifest(
      RepositoryName repo, Reference ref, List<String> accept) {
    manifestGets.incrementAndGet();
    manifestAccepts.add(List.copyOf(accept));
    return answer(
        () -> {
          Manifest manifest = negotiated(find(repo, ref), accept);
          return new ManifestResponse(
              manifest.body(), manifest.mediaType(), manifest.digest(), NO_HEADERS);
        });
  }

  @Override
  public CompletableFuture<ManifestHead> headManifest(
      RepositoryName repo, Reference ref, List<String> accept) {
    manifestHeads.incrementAndGet();
    manifestAccepts.add(List.copyOf(accept));
    return answer(
        () -> {
          Manifest manifest = negotiated(find(repo, ref), accept);
          return new ManifestHead(
              Optional.of(manifest.digest()),
              manifest.mediaType(),
              manifest.body().length,
              NO_HEADERS);
        });
  }

  @Override
  public CompletableFuture<BlobHead> headBlob(RepositoryName repo, Digest digest) {
    blobHeads.incrementAndGet();
    return answer(() -> new BlobHead(blob(repo, digest).length));
  }

  @Override
  public CompletableFuture<BlobDownload> getBlob(RepositoryName repo, Digest digest) {
    blobGets.incrementAndGet();
    return answer(
        () -> {
          byte[] content = blob(repo, digest);
          return new BlobDownload(content.length, blobBodies.apply(content));
        });
  }

  @Override
  public CompletableFuture<TagListResponse> listTags(RepositoryName repo, String rawQuery) {
    return answer(
        () -> new TagListResponse(200, "{}".getBytes(), "application/json", Optional.empty()));
  }

  private Manifest find(RepositoryName repo, Reference ref) {
    Manifest manifest =
        ref.isDigest() ? manifests.get(ref.digest().orElseThrow()) : tags.get(ref.value());
    if (manifest == null || !holds.test(repo, manifest.digest())) {
      throw ErrorCode.MANIFEST_UNKNOWN.exception("no manifest " + ref);
    }
    return manifest;
  }

  private byte[] blob(RepositoryName repo, Digest digest) {
    byte[] content = blobs.get(digest);
    if (content == null || !holds.test(repo, digest)) {
      throw ErrorCode.BLOB_UNKNOWN.exception("no blob " + digest);
    }
    return content;
  }

  private <T> CompletableFuture<T> answer(java.util.function.Supplier<T> value) {
    return gate.thenApplyAsync(
        ignored -> {
          if (failure != null) {
            throw failure;
          }
          return value.get();
        });
  }
}
