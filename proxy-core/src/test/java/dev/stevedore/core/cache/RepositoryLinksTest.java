package dev.stevedore.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.testing.FakeClock;
import dev.stevedore.core.testing.FakeUpstream;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.FileSystemBlobStore;
import dev.stevedore.storage.FileSystemLinkStore;
import dev.stevedore.storage.FileSystemMediaTypeStore;
import dev.stevedore.storage.FileSystemTagStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stored blob or manifest is served through a repository only when that repository has it:
 * fetched, referenced or tagged there, or confirmed by one upstream HEAD in its scope.
 */
class RepositoryLinksTest {
  private static final RepositoryName ALPINE = RepositoryName.parse("library/alpine");
  private static final RepositoryName BIG = RepositoryName.parse("library/big");
  private static final Duration TTL = Duration.ofMinutes(5);
  private static final Duration NEGATIVE_TTL = Duration.ofSeconds(30);

  @TempDir Path data;
  private final FakeUpstream upstream = new FakeUpstream();
  private final FakeClock clock = new FakeClock();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private BlobStore store;
  private StoredManifests stored;
  private BlobService blobs;
  private ManifestService manifests;
  private Digest layer;

  @BeforeEach
  void setUp() throws Exception {
    store = FileSystemBlobStore.open(data);
    stored = new StoredManifests(store, FileSystemMediaTypeStore.open(data));
    open();
    byte[] content = new byte[100_000];
    new Random(3).nextBytes(content);
    layer = upstream.putBlob(content);
    // only library/big holds the layer upstream
    upstream.holds = (repo, digest) -> !digest.equals(layer) || repo.equals(BIG);
  }

  /** Services over the data directory, as a (re)started process builds them. */
  private void open() throws Exception {
    RepositoryLinks links =
        new RepositoryLinks(FileSystemLinkStore.open(data), stored, threads, clock, NEGATIVE_TTL);
    blobs =
        new BlobService(
            store,
            threads,
            threads,
            dev.stevedore.core.metrics.CacheMetrics.NONE,
            BlobService.DEFAULT_STALL_TIMEOUT,
            links);
    manifests =
        new ManifestService(stored, FileSystemTagStore.open(data), threads, clock, TTL, links);
  }

  @AfterEach
  void tearDown() {
    threads.shutdownNow();
  }

  private BlobSource openBlob(RepositoryName repo, Digest digest) throws Exception {
    BlobSource source = blobs.open(upstream, repo, digest).get(10, TimeUnit.SECONDS);
    BlobSources.readAll(source);
    return source;
  }

  private static ErrorCode code(Throwable error) {
    return ((RegistryException) Futures.unwrap(error)).code();
  }

  @Test
  void open_blobFetchedThroughBig_isRefusedThroughAlpineAfterOneHead() throws Exception {
    openBlob(BIG, layer);

    assertThatThrownBy(() -> blobs.open(upstream, ALPINE, layer).join())
        .satisfies(error -> assertThat(code(error)).isEqualTo(ErrorCode.BLOB_UNKNOWN));
    assertThatThrownBy(() -> blobs.size(upstream, ALPINE, layer).join())
        .satisfies(error -> assertThat(code(error)).isEqualTo(ErrorCode.BLOB_UNKNOWN));

    assertThat(upstream.blobHeads).as("the refusal is remembered").hasValue(1);
    assertThat(upstream.blobGets).hasValue(1);
    assertThat(openBlob(BIG, layer)).isInstanceOf(StoredBlob.class);
    assertThat(upstream.blobHeads).hasValue(1);
    assertThat(upstream.blobGets).hasValue(1);
  }

  @Test
  void open_refusalForgottenAfterTheNegativeTtl_asksAgain() throws Exception {
    openBlob(BIG, layer);
    assertThatThrownBy(() -> blobs.open(upstream, ALPINE, layer).join());

    clock.advance(NEGATIVE_TTL.plusSeconds(1));
    upstream.holds = (repo, digest) -> true; // pushed to alpine meanwhile

    assertThat(openBlob(ALPINE, layer)).isInstanceOf(StoredBlob.class);
    assertThat(upstream.blobHeads).hasValue(2);
  }

  @Test
  void open_blobSharedByTwoRepositories_isConfirmedOnceThenServedFromTheLink() throws Exception {
    upstream.holds = (repo, digest) -> true;
    openBlob(BIG, layer);

    assertThat(openBlob(ALPINE, layer)).isInstanceOf(StoredBlob.class);
    assertThat(openBlob(ALPINE, layer)).isInstanceOf(StoredBlob.class);
    assertThat(blobs.size(upstream, ALPINE, layer).join()).isEqualTo(100_000L);

    assertThat(upstream.blobHeads).hasValue(1);
    assertThat(upstream.blobGets).hasValue(1);
  }

  @Test
  void open_linksSurviveARestart() throws Exception {
    openBlob(BIG, layer);
    open();

    assertThat(openBlob(BIG, layer)).isInstanceOf(StoredBlob.class);

    assertThat(upstream.blobHeads).hasValue(0);
    assertThat(upstream.blobGets).hasValue(1);
  }

  @Test
  void open_throughAnotherRepositoryWhileInFlight_isConfirmedBeforeJoining() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    upstream.blobBodies = bytes -> held(bytes, release);
    BlobSource first = blobs.open(upstream, BIG, layer).get(10, TimeUnit.SECONDS);
    assertThat(first).isInstanceOf(BlobFetch.class);

    CompletableFuture<BlobSource> other = blobs.open(upstream, ALPINE, layer);

    assertThatThrownBy(() -> other.get(10, TimeUnit.SECONDS))
        .satisfies(error -> assertThat(code(error)).isEqualTo(ErrorCode.BLOB_UNKNOWN));
    assertThat(((BlobFetch) first).done()).isNotDone();
    assertThat(upstream.blobHeads).hasValue(1);
    // the same repository joins without asking
    BlobSource same = blobs.open(upstream, BIG, layer).get(10, TimeUnit.SECONDS);
    assertThat(same).isSameAs(first);
    release.countDown();
    BlobSources.readAll(first);
    assertThat(upstream.blobGets).hasValue(1);
    assertThat(upstream.blobHeads).hasValue(1);
  }

  @Test
  void open_offlineUnlinked_isRefused() throws Exception {
    openBlob(BIG, layer);
    upstream.holds = (repo, digest) -> true;
    var offline = new dev.stevedore.core.upstream.OfflineUpstream("docker.io");

    assertThatThrownBy(() -> blobs.open(offline, ALPINE, layer).join())
        .satisfies(error -> assertThat(code(error)).isEqualTo(ErrorCode.BLOB_UNKNOWN));
    assertThat(blobs.open(offline, BIG, layer).join()).isInstanceOf(StoredBlob.class);
  }

  @Test
  void open_upstreamCannotAnswer_isNotRememberedAsARefusal() throws Exception {
    upstream.holds = (repo, digest) -> true;
    openBlob(BIG, layer);
    upstream.failure = ErrorCode.UNAVAILABLE.exception("down");

    assertThatThrownBy(() -> blobs.open(upstream, ALPINE, layer).join())
        .satisfies(error -> assertThat(code(error)).isEqualTo(ErrorCode.UNAVAILABLE));

    upstream.failure = null;
    assertThat(openBlob(ALPINE, layer)).isInstanceOf(StoredBlob.class);
  }

  @Test
  void pull_manifestThenBlobs_needsNoConfirmation_evenForBlobsStoredThroughAnother()
      throws Exception {
    upstream.holds = (repo, digest) -> true;
    openBlob(BIG, layer); // a base layer already cached through another repository
    byte[] config = "{\"architecture\":\"amd64\"}".getBytes(StandardCharsets.UTF_8);
    Digest configDigest = upstream.putBlob(config);
    upstream.putTag(
        "3.19",
        "{\"schemaVersion\":2,\"mediaType\":\""
            + MediaTypes.OCI_MANIFEST
            + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
            + "\"digest\":\""
            + configDigest
            + "\",\"size\":"
            + config.length
            + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
            + "\"digest\":\""
            + layer
            + "\",\"size\":100000}]}",
        MediaTypes.OCI_MANIFEST);

    manifests
        .get(new ManifestRequest(upstream, ALPINE, Reference.parse("3.19"), AcceptedTypes.ANY))
        .join()
        .value();
    assertThat(openBlob(ALPINE, layer)).isInstanceOf(StoredBlob.class);
    openBlob(ALPINE, configDigest);

    assertThat(upstream.blobHeads).hasValue(0);
    assertThat(upstream.manifestHeads).hasValue(0);
  }

  @Test
  void getManifestByDigest_storedThroughAnotherRepository_isConfirmedWithAHead() {
    FakeUpstream.Manifest secret =
        upstream.putTag("v1", "{\"schemaVersion\":2,\"manifests\":[]}", MediaTypes.OCI_INDEX);
    upstream.holds = (repo, digest) -> !digest.equals(secret.digest()) || repo.equals(BIG);
    manifests
        .get(new ManifestRequest(upstream, BIG, Reference.parse("v1"), AcceptedTypes.ANY))
        .join()
        .value();
    Reference byDigest = Reference.of(secret.digest());

    assertThatThrownBy(
            () ->
                manifests
                    .get(new ManifestRequest(upstream, ALPINE, byDigest, AcceptedTypes.ANY))
                    .join()
                    .value())
        .satisfies(error -> assertThat(code(error)).isEqualTo(ErrorCode.MANIFEST_UNKNOWN));
    assertThatThrownBy(
            () ->
                manifests
                    .head(new ManifestRequest(upstream, ALPINE, byDigest, AcceptedTypes.ANY))
                    .join()
                    .value())
        .satisfies(error -> assertThat(code(error)).isEqualTo(ErrorCode.MANIFEST_UNKNOWN));

    assertThat(upstream.manifestHeads).hasValue(1);
    assertThat(
            manifests
                .get(new ManifestRequest(upstream, BIG, byDigest, AcceptedTypes.ANY))
                .join()
                .value()
                .body())
        .isEqualTo(secret.body());
    assertThat(upstream.manifestGets).hasValue(1);
  }

  /** A body that sends its first byte, then waits for {@code release}. */
  private static InputStream held(byte[] bytes, CountDownLatch release) {
    return new InputStream() {
      private int position;

      @Override
      public int read() {
        if (position == 1) {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
          }
        }
        return position < bytes.length ? bytes[position++] & 0xff : -1;
      }
    };
  }
}
