package dev.stevedore.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.testing.FakeClock;
import dev.stevedore.core.testing.FakeUpstream;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.FileSystemBlobStore;
import dev.stevedore.storage.FileSystemMediaTypeStore;
import dev.stevedore.storage.FileSystemTagStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One upstream cannot slow down, hide or change another's content. */
class UpstreamIsolationTest {
  private static final RepositoryName REPO = RepositoryName.parse("library/alpine");

  @TempDir Path data;
  private final FakeUpstream docker = new FakeUpstream("docker.io");
  private final FakeUpstream evil = new FakeUpstream("evil.io");
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final CountDownLatch never = new CountDownLatch(1);

  @AfterEach
  void tearDown() {
    never.countDown();
    threads.shutdownNow();
  }

  @Test
  void open_sameDigestTrickledByAnotherUpstream_downloadsSeparately() throws Exception {
    BlobStore store = FileSystemBlobStore.open(data);
    BlobService blobs = new BlobService(store, threads, threads);
    byte[] content = new byte[300_000];
    new Random(5).nextBytes(content);
    Digest digest = docker.putBlob(content);
    evil.putBlob(content);
    evil.blobBodies = bytes -> stuckAfterOneByte(bytes);
    BlobFetch hostage = (BlobFetch) blobs.open(evil, REPO, digest).get(10, TimeUnit.SECONDS);

    BlobSource source = blobs.open(docker, REPO, digest).get(10, TimeUnit.SECONDS);

    assertThat(source).isNotSameAs(hostage);
    assertThat(BlobSources.readAll(source)).isEqualTo(content);
    assertThat(hostage.done()).isNotDone();
    assertThat(docker.blobGets).hasValue(1);
    assertThat(blobs.size(docker, REPO, digest).join()).isEqualTo(300_000L);
  }

  @Test
  void get_sameBytesClaimedUnderAnotherTypeByAnotherUpstream_keepsTheFirstType() throws Exception {
    String json = "{\"schemaVersion\":2,\"manifests\":[]}";
    FakeUpstream.Manifest index = docker.putTag("3.19", json, MediaTypes.OCI_INDEX);
    evil.putTag("3.19", json, MediaTypes.DOCKER_MANIFEST_LIST);
    StoredManifests stored =
        new StoredManifests(FileSystemBlobStore.open(data), FileSystemMediaTypeStore.open(data));
    ManifestService manifests =
        new ManifestService(
            stored, FileSystemTagStore.open(data), threads, new FakeClock(), Duration.ZERO);
    Reference tag = Reference.parse("3.19");
    manifests.get(new ManifestRequest(docker, REPO, tag, AcceptedTypes.ANY)).join().value();

    manifests.get(new ManifestRequest(evil, REPO, tag, AcceptedTypes.ANY)).join().value();

    Reference byDigest = Reference.of(index.digest());
    assertThat(
            manifests
                .get(new ManifestRequest(docker, REPO, tag, AcceptedTypes.ANY))
                .join()
                .value()
                .descriptor()
                .mediaType())
        .isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(
            manifests
                .head(new ManifestRequest(docker, REPO, byDigest, AcceptedTypes.ANY))
                .join()
                .value()
                .mediaType())
        .isEqualTo(MediaTypes.OCI_INDEX);
    StoredManifests reopened =
        new StoredManifests(FileSystemBlobStore.open(data), FileSystemMediaTypeStore.open(data));
    assertThat(reopened.read(index.digest()).orElseThrow().descriptor().mediaType())
        .isEqualTo(MediaTypes.OCI_INDEX);
  }

  @Test
  void store_sameBytesUnderAnotherType_returnsAndKeepsTheFirst() throws Exception {
    StoredManifests stored =
        new StoredManifests(FileSystemBlobStore.open(data), FileSystemMediaTypeStore.open(data));
    byte[] body = "{\"schemaVersion\":2,\"manifests\":[]}".getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256(body);
    stored.store(digest, body, MediaTypes.OCI_INDEX);

    ManifestContent again = stored.store(digest, body, MediaTypes.DOCKER_MANIFEST_LIST);

    assertThat(again.descriptor().mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(stored.cached(digest).orElseThrow().descriptor().mediaType())
        .isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(stored.describe(digest).orElseThrow().mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
  }

  private InputStream stuckAfterOneByte(byte[] bytes) {
    return new InputStream() {
      private boolean sent;

      @Override
      public int read() {
        if (sent) {
          try {
            never.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return -1;
        }
        sent = true;
        return bytes[0] & 0xff;
      }
    };
  }
}
