package dev.stevedore.core.testing;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.upstream.BlobDownload;
import dev.stevedore.core.upstream.BlobHead;
import dev.stevedore.core.upstream.ManifestHead;
import dev.stevedore.core.upstream.ManifestResponse;
import dev.stevedore.core.upstream.RateLimit;
import dev.stevedore.core.upstream.ReferrersResponse;
import dev.stevedore.core.upstream.TagListResponse;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.storage.Digest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one hand-written {@link Upstream} of the unit tests: in memory, with a counter per verb, a
 * record of every call, a switch to fail, a gate to hold answers and a stated rate limit.
 *
 * <p>{@link #FakeUpstream(String) Lenient} (the default) it answers what it holds and says {@code
 * MANIFEST_UNKNOWN}/{@code BLOB_UNKNOWN} otherwise, as a registry would. {@link #refusing Refusing}
 * it is for tests that assert the proxy does not go upstream: every call it cannot answer is
 * recorded in {@link #refused} and fails with an {@link AssertionError}, so a test sees it both in
 * the response and in the record.
 */
public final class FakeUpstream implements Upstream {
  public static final HttpHeaders NO_HEADERS = HttpHeaders.of(Map.of(), (a, b) -> true);

  public final Map<String, Manifest> manifestsByTag = new ConcurrentHashMap<>();
  public final Map<Digest, Manifest> manifests = new ConcurrentHashMap<>();
  public final Map<Digest, byte[]> blobs = new ConcurrentHashMap<>();
  public final AtomicInteger manifestGets = new AtomicInteger();
  public final AtomicInteger manifestHeads = new AtomicInteger();
  public final AtomicInteger blobGets = new AtomicInteger();
  public final AtomicInteger blobHeads = new AtomicInteger();

  /** Every call, in order, as {@code "verb repository reference"}. */
  public final List<String> calls = new CopyOnWriteArrayList<>();

  /** The calls a {@link #refusing} upstream refused. */
  public final List<String> refused = new CopyOnWriteArrayList<>();

  /** The Accept lists of manifest requests, in order. */
  public final List<List<String>> manifestAccepts = new CopyOnWriteArrayList<>();

  /** When set, every answer fails with it. */
  public volatile RegistryException failure;

  /** Answers wait for this; replace it with an incomplete future to hold them. */
  public volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

  /** How a blob's bytes are streamed; replace to throttle, stall or corrupt them. */
  public volatile Function<byte[], InputStream> blobBodies = ByteArrayInputStream::new;

  /** Which repositories hold which digests; by default every repository holds everything. */
  public volatile BiPredicate<RepositoryName, Digest> holds = (repo, digest) -> true;

  /** What a tag list request is answered with, as is and at once; unset: {@code {}} (lenient). */
  public volatile TagListResponse tags;

  /** What the referrers API answers; null (the default) when this upstream has none. */
  public volatile ReferrersResponse referrers;

  public final AtomicInteger referrersGets = new AtomicInteger();

  /** The {@code artifactType} filter of each referrers request, in order. */
  public final List<Optional<String>> referrersFilters = new CopyOnWriteArrayList<>();

  /** The pull budget this upstream states. */
  public volatile RateLimit rateLimit;

  private final String name;
  private final boolean refusing;

  /** A lenient {@code docker.io}. */
  public FakeUpstream() {
    this("docker.io");
  }

  /** A lenient upstream called {@code name}. */
  public FakeUpstream(String name) {
    this(name, false);
  }

  private FakeUpstream(String name, boolean refusing) {
    this.name = name;
    this.refusing = refusing;
  }

  /** An upstream that refuses every call it holds no answer for: at first, every call. */
  public static FakeUpstream refusing(String name) {
    return new FakeUpstream(name, true);
  }

  public record Manifest(byte[] body, String mediaType, Digest digest) {}

  public Manifest putTag(String tag, String json, String mediaType) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    Manifest manifest = new Manifest(body, mediaType, Digest.sha256(body));
    manifestsByTag.put(tag, manifest);
    manifests.put(manifest.digest(), manifest);
    return manifest;
  }

  public Digest putBlob(byte[] content) {
    Digest digest = Digest.sha256(content);
    blobs.put(digest, content);
    return digest;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Optional<RateLimit> rateLimit() {
    return Optional.ofNullable(rateLimit);
  }

  @Override
  public CompletableFuture<ManifestResponse> getManifest(
      RepositoryName repo, Reference ref, List<String> accept) {
    return manifestCall(
        "getManifest",
        manifestGets,
        repo,
        ref,
        accept,
        manifest ->
            new ManifestResponse(
                manifest.body(), manifest.mediaType(), manifest.digest(), NO_HEADERS));
  }

  @Override
  public CompletableFuture<ManifestHead> headManifest(
      RepositoryName repo, Reference ref, List<String> accept) {
    return manifestCall(
        "headManifest",
        manifestHeads,
        repo,
        ref,
        accept,
        manifest ->
            new ManifestHead(
                Optional.of(manifest.digest()),
                manifest.mediaType(),
                manifest.body().length,
                NO_HEADERS));
  }

  @Override
  public CompletableFuture<BlobHead> headBlob(RepositoryName repo, Digest digest) {
    return blobCall("headBlob", blobHeads, repo, digest, content -> new BlobHead(content.length));
  }

  @Override
  public CompletableFuture<BlobDownload> getBlob(RepositoryName repo, Digest digest) {
    return blobCall(
        "getBlob",
        blobGets,
        repo,
        digest,
        content -> new BlobDownload(content.length, blobBodies.apply(content)));
  }

  @Override
  public CompletableFuture<TagListResponse> listTags(RepositoryName repo, String rawQuery) {
    String call = "listTags " + repo + " " + rawQuery;
    TagListResponse answer = tags;
    if (answer != null) {
      calls.add(call);
      return CompletableFuture.completedFuture(answer);
    }
    if (refusing) {
      return refuse(call);
    }
    calls.add(call);
    return answer(
        () ->
            new TagListResponse(
                200, "{}".getBytes(StandardCharsets.UTF_8), "application/json", Optional.empty()));
  }

  /**
   * Answers {@link #referrers} (none: no referrers API) after the {@link #gate}, or fails with
   * {@link #failure}; never refused, so a refusing upstream can still be asked.
   */
  @Override
  public CompletableFuture<Optional<ReferrersResponse>> referrers(
      RepositoryName repo, Digest subject, Optional<String> artifactType) {
    calls.add("referrers " + repo + " " + subject + " " + artifactType.orElse(""));
    referrersGets.incrementAndGet();
    referrersFilters.add(artifactType);
    ReferrersResponse answer = referrers;
    return answer(() -> Optional.ofNullable(answer));
  }

  private <T> CompletableFuture<T> manifestCall(
      String verb,
      AtomicInteger counter,
      RepositoryName repo,
      Reference ref,
      List<String> accept,
      Function<Manifest, T> reply) {
    String call = verb + " " + repo + " " + ref;
    if (refusing && find(repo, ref).isEmpty()) {
      return refuse(call);
    }
    calls.add(call);
    counter.incrementAndGet();
    manifestAccepts.add(List.copyOf(accept));
    return answer(() -> reply.apply(negotiated(found(repo, ref), accept)));
  }

  private <T> CompletableFuture<T> blobCall(
      String verb,
      AtomicInteger counter,
      RepositoryName repo,
      Digest digest,
      Function<byte[], T> reply) {
    String call = verb + " " + repo + " " + digest;
    if (refusing && blob(repo, digest).isEmpty()) {
      return refuse(call);
    }
    calls.add(call);
    counter.incrementAndGet();
    return answer(() -> reply.apply(found(repo, digest)));
  }

  /** As the distribution registry does: a type the Accept list leaves out is a 404. */
  private static Manifest negotiated(Manifest manifest, List<String> accept) {
    if (!accept.isEmpty() && !accept.contains(manifest.mediaType())) {
      throw ErrorCode.MANIFEST_UNKNOWN.exception("not available as " + accept);
    }
    return manifest;
  }

  private Optional<Manifest> find(RepositoryName repo, Reference ref) {
    Manifest manifest =
        ref.isDigest()
            ? manifests.get(ref.digest().orElseThrow())
            : manifestsByTag.get(ref.value());
    return Optional.ofNullable(manifest).filter(m -> holds.test(repo, m.digest()));
  }

  private Manifest found(RepositoryName repo, Reference ref) {
    return find(repo, ref)
        .orElseThrow(() -> ErrorCode.MANIFEST_UNKNOWN.exception("no manifest " + ref));
  }

  private Optional<byte[]> blob(RepositoryName repo, Digest digest) {
    return Optional.ofNullable(blobs.get(digest)).filter(b -> holds.test(repo, digest));
  }

  private byte[] found(RepositoryName repo, Digest digest) {
    return blob(repo, digest)
        .orElseThrow(() -> ErrorCode.BLOB_UNKNOWN.exception("no blob " + digest));
  }

  private <T> CompletableFuture<T> answer(Supplier<T> value) {
    return gate.thenApplyAsync(
        ignored -> {
          if (failure != null) {
            throw failure;
          }
          return value.get();
        });
  }

  private <T> CompletableFuture<T> refuse(String call) {
    calls.add(call);
    refused.add(call);
    return CompletableFuture.failedFuture(
        new AssertionError("unexpected call to upstream " + name + ": " + call));
  }
}
