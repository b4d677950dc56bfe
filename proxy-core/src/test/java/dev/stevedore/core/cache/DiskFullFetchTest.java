package dev.stevedore.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.testing.FakeUpstream;
import dev.stevedore.storage.BlobInfo;
import dev.stevedore.storage.BlobReader;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.BlobWriter;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.FileSystemBlobStore;
import dev.stevedore.storage.FsLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk fills up during a fetch: that fetch fails cleanly and the cache keeps serving. */
class DiskFullFetchTest {
  private static final RepositoryName REPO = RepositoryName.parse("library/alpine");

  @TempDir Path data;
  private final FakeUpstream upstream = new FakeUpstream();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private FillingDisk disk;
  private BlobService service;
  private byte[] cached;
  private byte[] wanted;

  @BeforeEach
  void setUp() throws Exception {
    disk = new FillingDisk(FileSystemBlobStore.open(data));
    service = new BlobService(disk, threads, threads);
    cached = random(400_000, 1);
    wanted = random(1_000_000, 2);
    upstream.putBlob(cached);
    upstream.putBlob(wanted);
    BlobSources.readAll(service.open(upstream, REPO, Digest.sha256(cached)).join());
  }

  @AfterEach
  void tearDown() {
    threads.shutdownNow();
  }

  @Test
  void fetch_diskFills_failsEveryWaiterAndFreesTheTempFile() throws Exception {
    disk.freeBytes = 300_000;
    upstream.gate = new CompletableFuture<>();
    List<CompletableFuture<byte[]>> readers =
        IntStream.range(0, 10)
            .mapToObj(
                i ->
                    service
                        .open(upstream, REPO, Digest.sha256(wanted))
                        .thenApplyAsync(BlobSources::readAllUnchecked, threads))
            .toList();
    upstream.gate.complete(null);

    for (CompletableFuture<byte[]> reader : readers) {
      assertThatThrownBy(() -> reader.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasStackTraceContaining("No space left on device");
    }
    assertThat(upstream.blobGets).as("the cached blob, then one shared fetch").hasValue(2);
    assertThat(disk.stat(Digest.sha256(wanted))).isEmpty();
    assertThat(service.inFlightCount()).isZero();
    try (Stream<Path> temp = Files.list(new FsLayout(data).tmpDir())) {
      assertThat(temp).as("temp files left").isEmpty();
    }
  }

  @Test
  void fetch_diskFull_cachedBlobsAreStillServed_andTheFetchWorksOnceThereIsRoom() throws Exception {
    disk.freeBytes = 0;
    assertThatThrownBy(
            () -> BlobSources.readAll(service.open(upstream, REPO, Digest.sha256(wanted)).join()))
        .hasStackTraceContaining("No space left on device");

    BlobSource stored = service.open(upstream, REPO, Digest.sha256(cached)).join();
    assertThat(stored).isInstanceOf(StoredBlob.class);
    assertThat(BlobSources.readAll(stored)).isEqualTo(cached);

    disk.freeBytes = Long.MAX_VALUE;
    assertThat(BlobSources.readAll(service.open(upstream, REPO, Digest.sha256(wanted)).join()))
        .isEqualTo(wanted);
    assertThat(disk.stat(Digest.sha256(wanted))).isPresent();
    assertThat(upstream.blobGets).hasValue(3); // cached, the failed fetch, the retry
  }

  /** A store on a disk with {@code freeBytes} left; a write beyond fails as the kernel would. */
  private static final class FillingDisk implements BlobStore {
    private final BlobStore files;
    volatile long freeBytes = Long.MAX_VALUE;

    FillingDisk(BlobStore files) {
      this.files = files;
    }

    @Override
    public Optional<BlobInfo> stat(Digest digest) throws IOException {
      return files.stat(digest);
    }

    @Override
    public Optional<BlobReader> open(Digest digest) throws IOException {
      return files.open(digest);
    }

    @Override
    public BlobWriter create(Digest expected, long size) throws IOException {
      BlobWriter writer = files.create(expected, size);
      return new BlobWriter() {
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
        public BlobReader openReader() throws IOException {
          return writer.openReader();
        }

        @Override
        public void write(ByteBuffer src) throws IOException {
          if (writer.written() + src.remaining() > freeBytes) {
            throw new IOException("No space left on device");
          }
          writer.write(src);
        }

        @Override
        public BlobInfo commit() throws IOException {
          return writer.commit();
        }

        @Override
        public void cancel() {
          writer.cancel();
        }
      };
    }

    @Override
    public void checkWritable() throws IOException {
      files.checkWritable();
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
      return files.delete(digest);
    }
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
