package dev.stevedore.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.cluster.Cluster;
import dev.stevedore.core.metrics.CacheMetrics;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.testing.FakeTicker;
import dev.stevedore.core.testing.FakeUpstream;
import dev.stevedore.core.upstream.BlobDownload;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.FileSystemBlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica of a cluster downloading what another replica leads: it relays, and when the leader
 * dies mid-body it continues from the byte it reached — from upstream once it took the claim over —
 * and the blob is intact. The cluster is a fake with a scripted leader.
 */
class ClusterDownloadsTest {
  private static final RepositoryName REPO = RepositoryName.parse("library/alpine");
  private static final URI LEADER = URI.create("http://10.0.0.1:5000");

  @TempDir Path data;
  private final FakeUpstream upstream = new FakeUpstream();
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final ScriptedCluster cluster = new ScriptedCluster();
  private BlobStore store;
  private BlobService service;
  private byte[] content;
  private Digest digest;

  @BeforeEach
  void setUp() throws Exception {
    store = FileSystemBlobStore.open(data);
    service =
        new BlobService(
            store,
            threads,
            threads,
            CacheMetrics.NONE,
            BlobService.DEFAULT_STALL_TIMEOUT,
            MinimumRate.DEFAULT,
            null,
            new FakeTicker(),
            cluster);
    content = new byte[2_000_000];
    new Random(16).nextBytes(content);
    digest = upstream.putBlob(content);
  }

  @AfterEach
  void tearDown() {
    threads.shutdownNow();
  }

  @Test
  void aBlobAnotherReplicaLeads_isRelayedFromIt_notFetchedAgain() throws Exception {
    cluster.leader.set(false);

    BlobSource source = service.open(upstream, REPO, digest).join();

    assertThat(BlobSources.readAll(source)).isEqualTo(content);
    assertThat(upstream.blobGets).as("no upstream GET").hasValue(0);
    assertThat(cluster.relays).containsExactly(0L);
    assertThat(store.stat(digest)).isPresent();
  }

  @Test
  void leaderDiesMidBody_followerTakesOver_andContinuesFromTheByteItReached() throws Exception {
    cluster.leader.set(false);
    cluster.leaderDiesAfter = 700_000;

    BlobSource source = service.open(upstream, REPO, digest).join();

    assertThat(BlobSources.readAll(source)).isEqualTo(content);
    assertThat(upstream.blobGets).as("one upstream GET after the takeover").hasValue(1);
    assertThat(cluster.claims.get()).as("claimed again once the relay broke").isGreaterThan(1);
    awaitReleased();
    assertThat(cluster.released).as("the taken-over claim is released").isTrue();
  }

  @Test
  void leading_fetchesFromUpstream_andReleasesTheClaim() throws Exception {
    BlobSource source = service.open(upstream, REPO, digest).join();

    assertThat(BlobSources.readAll(source)).isEqualTo(content);
    assertThat(upstream.blobGets).hasValue(1);
    assertThat(cluster.relays).isEmpty();
    awaitReleased();
    assertThat(cluster.released).isTrue();
  }

  /** The claim is released after the commit its readers see: wait a moment for it. */
  private void awaitReleased() throws InterruptedException {
    for (int i = 0; i < 500 && !cluster.released; i++) {
      Thread.sleep(10);
    }
  }

  /** A cluster whose other replica leads until it dies, then lets this one take over. */
  private final class ScriptedCluster implements Cluster {
    final AtomicBoolean leader = new AtomicBoolean(true);
    final AtomicInteger claims = new AtomicInteger();
    final List<Long> relays = new CopyOnWriteArrayList<>();
    volatile long leaderDiesAfter = -1;
    volatile boolean leaderDead;
    volatile boolean released;

    @Override
    public Flight claim(String name) {
      claims.incrementAndGet();
      if (leader.get() || leaderDead) {
        return new Flight.Lead(() -> released = true);
      }
      return new Flight.Follow(LEADER);
    }

    @Override
    public BlobDownload relay(URI holder, String upstreamName, Digest relayed, long offset)
        throws IOException {
      if (leaderDead) {
        throw new IOException("connection refused");
      }
      relays.add(offset);
      InputStream body = new ByteArrayInputStream(content, (int) offset, content.length);
      if (leaderDiesAfter >= 0) {
        body = new DyingStream(body, leaderDiesAfter - offset);
      }
      return new BlobDownload(content.length, body);
    }

    /** The leader's stream, which breaks (kill -9) after some bytes. */
    private final class DyingStream extends InputStream {
      private final InputStream body;
      private long left;

      DyingStream(InputStream body, long left) {
        this.body = body;
        this.left = left;
      }

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] bytes, int offset, int length) throws IOException {
        if (left <= 0) {
          leaderDead = true;
          throw new IOException("connection reset");
        }
        int read = body.read(bytes, offset, (int) Math.min(length, left));
        left -= Math.max(read, 0);
        return read;
      }
    }
  }
}
