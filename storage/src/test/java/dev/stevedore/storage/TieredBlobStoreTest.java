package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * The blob store contract for the local tier in front of a bucket, and what tiering adds: two
 * replicas (two local directories, one bucket) see each other's blobs, a fill is single flight, a
 * bucket holding wrong bytes never serves them, and a store that is down or failing leaves the
 * local tier serving. Against S3Proxy on loopback; a faulty network is an interceptor on the
 * client.
 */
class TieredBlobStoreTest extends BlobStoreContract {
  private static final long PART = S3BlobStore.MIN_PART_SIZE;

  @TempDir Path replicaOne;
  @TempDir Path replicaTwo;
  private final ExecutorService fills = Executors.newCachedThreadPool();
  private final Network network = new Network();
  private S3TestServer server;
  private S3Layout layout;

  @AfterEach
  void stopFills() {
    fills.shutdownNow();
  }

  @Override
  protected BlobStore newStore() throws IOException {
    server = S3TestServer.shared();
    layout = new S3Layout(server.newBucket(), "tiered");
    return replica(replicaOne, server.client());
  }

  private TieredBlobStore replica(Path dataDir, S3Client client) throws IOException {
    IndexedBlobStore local =
        IndexedBlobStore.open(dataDir, OptionalLong.empty(), EvictionListener.NONE);
    return new TieredBlobStore(
        local, S3BlobStore.open(client, layout, dataDir, PART), fills, digest -> {});
  }

  @Test
  void aBlobOneReplicaWrote_isServedByAnotherFromTheBucket_thenFromItsLocalTier() throws Exception {
    TieredBlobStore one = (TieredBlobStore) newStore();
    byte[] content = TestBlobs.randomBytes((int) (PART + 12_345));
    Digest digest = Digest.sha256(content);
    write(one, content);
    TieredBlobStore two = replica(replicaTwo, server.clientThrough(network));

    assertThat(two.stat(digest)).contains(new BlobInfo(digest, content.length));
    try (BlobReader reader = two.open(digest).orElseThrow()) {
      assertThat(follow(reader, content.length)).isEqualTo(content);
    }
    awaitNoFills(two);
    int getsAfterFill = network.gets.get();

    assertThat(two.local().stat(digest)).contains(new BlobInfo(digest, content.length));
    try (BlobReader reader = two.open(digest).orElseThrow()) {
      assertThat(reader.fileChannel()).as("sent zero-copy from local disk").isPresent();
      assertThat(reader.readAllBytes()).isEqualTo(content);
    }
    assertThat(network.gets.get()).as("no more GETs from the bucket").isEqualTo(getsAfterFill);
  }

  @Test
  void concurrentReadersOfABlobOnlyTheBucketHolds_shareOneFill() throws Exception {
    TieredBlobStore one = (TieredBlobStore) newStore();
    byte[] content = TestBlobs.randomBytes(3_000_000);
    Digest digest = Digest.sha256(content);
    write(one, content);
    TieredBlobStore two = replica(replicaTwo, server.clientThrough(network));
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<byte[]>> reads = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        reads.add(
            clients.submit(
                () -> {
                  start.await();
                  try (BlobReader reader = two.open(digest).orElseThrow()) {
                    return follow(reader, content.length);
                  }
                }));
      }
      start.countDown();
      for (Future<byte[]> read : reads) {
        assertThat(read.get()).isEqualTo(content);
      }
    } finally {
      clients.shutdownNow();
    }
    assertThat(network.gets.get()).as("one GET from the bucket for eight readers").isEqualTo(1);
  }

  @Test
  void aBucketHoldingWrongBytes_neverServesThem_andLosesTheObject() throws Exception {
    TieredBlobStore store = (TieredBlobStore) newStore();
    byte[] content = "the real content".getBytes(UTF_8);
    Digest digest = Digest.sha256(content);
    byte[] forged = "forged content!!".getBytes(UTF_8);
    server
        .client()
        .putObject(
            PutObjectRequest.builder().bucket(layout.bucket()).key(layout.blob(digest)).build(),
            RequestBody.fromBytes(forged));

    try (BlobReader reader = store.open(digest).orElseThrow()) {
      reader.awaitReadable(forged.length - 1).toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertThat(reader.failed()).isTrue();
      assertThat(reader.verified()).isFalse();
    }
    awaitNoFills(store);

    assertThat(store.local().stat(digest)).isEmpty();
    assertThat(store.shared().stat(digest)).as("the wrong object is deleted").isEmpty();
  }

  @Test
  void storeDown_localHitsAreServed_andMissesFailAsTheStore() throws Exception {
    TieredBlobStore healthy = (TieredBlobStore) newStore();
    byte[] hot = "hot blob".getBytes(UTF_8);
    write(healthy, hot);
    TieredBlobStore cutOff = replica(replicaOne, server.clientThrough(network));
    network.down.set(true);

    try (BlobReader reader = cutOff.open(Digest.sha256(hot)).orElseThrow()) {
      assertThat(reader.readAllBytes()).isEqualTo(hot);
    }
    Digest missing = Digest.sha256("not here".getBytes(UTF_8));
    assertThatThrownBy(() -> cutOff.open(missing)).isInstanceOf(ObjectStoreException.class);
    assertThatThrownBy(() -> cutOff.stat(missing)).isInstanceOf(ObjectStoreException.class);
  }

  @Test
  void storeFailingDuringAWrite_keepsTheBlobLocal_andLeavesNothingInTheBucket() throws Exception {
    newStore();
    TieredBlobStore store = replica(replicaTwo, server.clientThrough(network));
    byte[] content = TestBlobs.randomBytes((int) (2 * PART + 1));
    Digest digest = Digest.sha256(content);
    BlobWriter writer = store.create(digest, content.length);
    writer.write(ByteBuffer.wrap(content, 0, (int) PART + 10));
    network.down.set(true);
    writer.write(ByteBuffer.wrap(content, (int) PART + 10, content.length - (int) PART - 10));

    assertThat(writer.commit()).isEqualTo(new BlobInfo(digest, content.length));

    network.down.set(false);
    assertThat(store.local().stat(digest)).contains(new BlobInfo(digest, content.length));
    assertThat(store.shared().stat(digest)).isEmpty();
  }

  private static void write(BlobStore store, byte[] content) throws IOException {
    try (BlobWriter writer = store.create(Digest.sha256(content), content.length)) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit();
    }
  }

  private static void awaitNoFills(TieredBlobStore store) throws InterruptedException {
    for (int i = 0; i < 500 && store.fillsInFlight() > 0; i++) {
      Thread.sleep(10);
    }
    assertThat(store.fillsInFlight()).isZero();
  }

  /** Counts the client's object GETs and, when down, lets no request through. */
  private static final class Network implements ExecutionInterceptor {
    final AtomicInteger gets = new AtomicInteger();
    final AtomicBoolean down = new AtomicBoolean();

    @Override
    public void beforeTransmission(
        Context.BeforeTransmission context, ExecutionAttributes attributes) {
      if (down.get()) {
        throw SdkClientException.create("Connection refused");
      }
      if ("GetObject".equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))) {
        gets.incrementAndGet();
      }
    }
  }
}
