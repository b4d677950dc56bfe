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

/**
 * The behaviour every {@link MediaTypeStore} must have: a digest's media type is recorded once and
 * never replaced, so one upstream cannot change how another's manifest is served. Subclasses supply
 * a fresh, empty store.
 */
abstract class MediaTypeStoreContract {
  private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  private static final String DOCKER_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";

  private final Digest manifest = Digest.sha256("index bytes".getBytes(UTF_8));

  /** A new, empty store; called once per test. */
  protected abstract MediaTypeStore newStore() throws IOException;

  @Test
  void putIfAbsent_first_isRecordedAndReturned() throws IOException {
    MediaTypeStore store = newStore();

    assertThat(store.putIfAbsent(manifest, OCI_INDEX)).isEqualTo(OCI_INDEX);

    assertThat(store.get(manifest)).contains(OCI_INDEX);
  }

  @Test
  void putIfAbsent_twice_keepsTheFirstMediaType() throws IOException {
    MediaTypeStore store = newStore();
    assertThat(store.putIfAbsent(manifest, OCI_INDEX)).isEqualTo(OCI_INDEX);

    String recorded = store.putIfAbsent(manifest, DOCKER_LIST);

    assertThat(recorded).isEqualTo(OCI_INDEX);
    assertThat(store.get(manifest)).contains(OCI_INDEX);
  }

  @Test
  void putIfAbsent_concurrentClaims_exactlyOneWinsAndAllSeeIt() throws Exception {
    MediaTypeStore store = newStore();
    List<String> claims = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      claims.add(i % 2 == 0 ? OCI_INDEX : DOCKER_LIST);
    }
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<String>> answers = new ArrayList<>();
      for (String claim : claims) {
        answers.add(
            threads.submit(
                () -> {
                  start.await();
                  return store.putIfAbsent(manifest, claim);
                }));
      }
      start.countDown();
      List<String> seen = new ArrayList<>();
      for (Future<String> answer : answers) {
        seen.add(answer.get());
      }
      String winner = store.get(manifest).orElseThrow();
      assertThat(seen).containsOnly(winner);
    } finally {
      threads.shutdownNow();
    }
  }
}
