package dev.stevedore.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.testing.FakeTicker;
import dev.stevedore.core.testing.FakeUpstream;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.DigestMismatchException;
import dev.stevedore.storage.FileSystemBlobStore;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobServiceTest {
  private static final RepositoryName REPO = RepositoryName.parse("library/alpine");

  @TempDir Path data;
  private final FakeUpstream upstream = new FakeUpstream();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private BlobStore store;
  private BlobService service;
  private byte[] content;
  private Digest digest;

  @BeforeEach
  void setUp() throws Exception {
    store = FileSystemBlobStore.open(data);
    service = new BlobService(store, threads, threads);
    content = new byte[1_000_000];
    new Random(7).nextBytes(content);
    digest = upstream.putBlob(content);
  }

  @AfterEach
  void tearDown() {
    threads.shutdownNow();
  }

  @Test
  void open_cold_streamsTheDownloadAndStoresIt() throws Exception {
    BlobSource source = service.open(upstream, REPO, digest).join();

    assertThat(source).isInstanceOf(BlobFetch.class);
    assertThat(BlobSources.readAll((BlobFetch) source)).isEqualTo(content);
    assertThat(store.stat(digest)).isPresent();
    assertThat(service.open(upstream, REPO, digest).join()).isInstanceOf(StoredBlob.class);
    assertThat(upstream.blobGets).hasValue(1);
  }

  @Test
  void open_concurrentMisses_shareOneUpstreamDownload() throws Exception {
    upstream.gate = new CompletableFuture<>();
    List<CompletableFuture<BlobSource>> opens =
        IntStream.range(0, 20).mapToObj(i -> service.open(upstream, REPO, digest)).toList();
    upstream.gate.complete(null);

    for (CompletableFuture<BlobSource> open : opens) {
      BlobSource source = open.join();
      assertThat(BlobSources.readAll(source)).isEqualTo(content);
    }
    assertThat(upstream.blobGets).hasValue(1);
  }

  @Test
  void open_hundredConcurrentMisses_oneFetchAndHundredIdenticalBodies() throws Exception {
    upstream.gate = new CompletableFuture<>();
    List<CompletableFuture<byte[]>> reads =
        IntStream.range(0, 100)
            .mapToObj(
                i ->
                    service
                        .open(upstream, REPO, digest)
                        .thenApplyAsync(BlobSources::readAllUnchecked, threads))
            .toList();
    upstream.gate.complete(null);

    for (CompletableFuture<byte[]> read : reads) {
      assertThat(read.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(content);
    }
    assertThat(upstream.blobGets).hasValue(1);
  }

  @Test
  void open_hundredConcurrentMissesOfFailingFetch_allFailAndNextSucceeds() throws Exception {
    // disk work on the calling thread: all hundred have joined the fetch before it can fail
    BlobService service = new BlobService(store, Runnable::run, threads);
    upstream.gate = new CompletableFuture<>();
    upstream.blobBodies = bytes -> new ByteArrayInputStream(bytes, 0, bytes.length / 2);
    List<CompletableFuture<byte[]>> reads =
        IntStream.range(0, 100)
            .mapToObj(
                i ->
                    service
                        .open(upstream, REPO, digest)
                        .thenApplyAsync(BlobSources::readAllUnchecked, threads))
            .toList();
    upstream.gate.complete(null);

    for (CompletableFuture<byte[]> read : reads) {
      assertThatThrownBy(() -> read.get(30, java.util.concurrent.TimeUnit.SECONDS))
          .isInstanceOf(java.util.concurrent.ExecutionException.class);
    }
    assertThat(upstream.blobGets).hasValue(1);
    assertThat(store.stat(digest)).isEmpty();

    upstream.blobBodies = ByteArrayInputStream::new;
    BlobSource next = service.open(upstream, REPO, digest).join();
    assertThat(BlobSources.readAll((BlobFetch) next)).isEqualTo(content);
  }

  @Test
  void open_upstreamStallsMidBody_fetchIsAbandonedAndNextRequestRefetches() throws Exception {
    CompletableFuture<Void> never = new CompletableFuture<>();
    upstream.blobBodies =
        bytes ->
            new java.io.SequenceInputStream(
                new ByteArrayInputStream(bytes, 0, 1000),
                new java.io.InputStream() {
                  @Override
                  public int read() throws java.io.IOException {
                    try {
                      never.get();
                    } catch (InterruptedException e) {
                      throw new java.io.InterruptedIOException("interrupted");
                    } catch (java.util.concurrent.ExecutionException e) {
                      throw new java.io.IOException(e);
                    }
                    return -1;
                  }
                });
    FakeTicker now = new FakeTicker();
    java.time.Duration stallTimeout = java.time.Duration.ofSeconds(60);
    BlobService stalling =
        new BlobService(
            store,
            threads,
            threads,
            dev.stevedore.core.metrics.CacheMetrics.NONE,
            stallTimeout,
            new MinimumRate(0, stallTimeout), // never too slow: this is about the stall alone
            null,
            now);
    BlobFetch fetch = (BlobFetch) stalling.open(upstream, REPO, digest).join();
    // the copy has begun and the first 1000 bytes are in: from now on the upstream sends nothing
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (fetch.available() < 1000) {
      assertThat(System.nanoTime()).as("the first 1000 bytes arrive").isLessThan(deadline);
      Thread.sleep(1);
    }

    now.advance(stallTimeout);
    stalling.abandonStalledFetches();
    assertThat(fetch.done()).as("silent for exactly the stall timeout: not yet").isNotDone();

    now.advance(java.time.Duration.ofNanos(1));
    stalling.abandonStalledFetches();

    assertThatThrownBy(() -> fetch.done().get(10, java.util.concurrent.TimeUnit.SECONDS))
        .hasMessageContaining("stalled");
    assertThat(store.stat(digest)).isEmpty();
    upstream.blobBodies = ByteArrayInputStream::new;
    assertThat(BlobSources.readAll((BlobFetch) stalling.open(upstream, REPO, digest).join()))
        .isEqualTo(content);
  }

  @Test
  void abandoning_spareADownloadThatReceivedEverything_whileItCommits() throws Exception {
    java.util.concurrent.CountDownLatch committing = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    BlobStore slowCommits = new SlowCommitStore(store, committing, release);
    FakeTicker now = new FakeTicker();
    BlobService service =
        new BlobService(
            slowCommits,
            threads,
            threads,
            dev.stevedore.core.metrics.CacheMetrics.NONE,
            java.time.Duration.ofSeconds(60),
            MinimumRate.DEFAULT,
            null,
            now);
    BlobFetch fetch = (BlobFetch) service.open(upstream, REPO, digest).join();
    committing.await(); // every byte is in; the commit (an upload to a shared store) takes a while

    now.advance(java.time.Duration.ofHours(1));
    service.abandonStalledFetches();
    service.abandonDownloads();
    release.countDown();

    assertThat(fetch.done().get(10, java.util.concurrent.TimeUnit.SECONDS).size())
        .isEqualTo(content.length);
    assertThat(store.stat(digest)).isPresent();
  }

  /** A store whose commits wait for {@code release} after saying they started. */
  private record SlowCommitStore(
      BlobStore store,
      java.util.concurrent.CountDownLatch committing,
      java.util.concurrent.CountDownLatch release)
      implements BlobStore {
    @Override
    public java.util.Optional<dev.stevedore.storage.BlobReader> open(Digest digest)
        throws java.io.IOException {
      return store.open(digest);
    }

    @Override
    public java.util.Optional<dev.stevedore.storage.BlobInfo> stat(Digest digest)
        throws java.io.IOException {
      return store.stat(digest);
    }

    @Override
    public dev.stevedore.storage.BlobWriter create(Digest expected, long size)
        throws java.io.IOException {
      dev.stevedore.storage.BlobWriter writer = store.create(expected, size);
      return new dev.stevedore.storage.BlobWriter() {
        @Override
        public Digest expected() {
          return writer.expected();
        }

        @Override
        public Path tempFile() {
          return writer.tempFile();
        }

        @Override
        public long written() {
          return writer.written();
        }

        @Override
        public dev.stevedore.storage.BlobReader openReader() throws java.io.IOException {
          return writer.openReader();
        }

        @Override
        public void write(java.nio.ByteBuffer src) throws java.io.IOException {
          writer.write(src);
        }

        @Override
        public dev.stevedore.storage.BlobInfo commit() throws java.io.IOException {
          committing.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            writer.cancel();
            throw new java.io.InterruptedIOException("interrupted while committing");
          }
          return writer.commit();
        }

        @Override
        public void cancel() {
          writer.cancel();
        }
      };
    }

    @Override
    public void checkWritable() throws java.io.IOException {
      store.checkWritable();
    }

    @Override
    public boolean delete(Digest digest) throws java.io.IOException {
      return store.delete(digest);
    }
  }

  @Test
  void open_corruptUpstream_failsEveryReaderAndCachesNothing() throws Exception {
    upstream.blobBodies =
        bytes -> {
          byte[] corrupt = bytes.clone();
          corrupt[corrupt.length / 2] ^= 1;
          return new ByteArrayInputStream(corrupt);
        };
    BlobFetch fetch = (BlobFetch) service.open(upstream, REPO, digest).join();

    assertThatThrownBy(() -> fetch.done().join()).hasCauseInstanceOf(DigestMismatchException.class);
    assertThat(store.stat(digest)).isEmpty();

    upstream.blobBodies = ByteArrayInputStream::new;
    BlobFetch retry = (BlobFetch) service.open(upstream, REPO, digest).join();
    assertThat(BlobSources.readAll(retry)).isEqualTo(content);
    assertThat(upstream.blobGets).hasValue(2);
  }

  @Test
  void size_uncached_usesUpstreamHeadNotADownload() {
    assertThat(service.size(upstream, REPO, digest).join()).isEqualTo(content.length);

    assertThat(upstream.blobHeads).hasValue(1);
    assertThat(upstream.blobGets).hasValue(0);
  }
}
