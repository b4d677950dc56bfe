package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Eviction by last use against S3Proxy on loopback. The blobs' {@code LastModified} is the server's
 * real time, so the test clock starts two hours after it: every blob written by the test is past
 * the one-hour grace period unless a test says otherwise.
 */
class StoreEvictionTest {
  private static final Duration GRACE = Duration.ofHours(1);
  private static final Duration HORIZON = Duration.ofDays(30);
  private static final int SIZE = 100;

  private final TestClock clock = TestClock.realPlus(Duration.ofHours(2));
  private S3Client s3;
  private S3Layout layout;

  private void bucket(String prefix) throws IOException {
    S3TestServer server = S3TestServer.shared();
    s3 = server.client();
    layout = new S3Layout(server.newBucket(), prefix);
  }

  private StoreEviction eviction() {
    return new StoreEviction(s3, layout, clock, GRACE, HORIZON);
  }

  private StorePulls pulls(String replica) {
    return new StorePulls(s3, layout, replica, clock, HORIZON);
  }

  @Test
  void run_underBudget_deletesNothing() throws IOException {
    bucket("cache");
    List<Digest> blobs = blobs(3);

    EvictionReport report = eviction().run(3 * SIZE);

    assertThat(report.blobs()).isEqualTo(3);
    assertThat(report.bytes()).isEqualTo(3 * SIZE);
    assertThat(report.evicted()).isZero();
    assertThat(report.evictedBytes()).isZero();
    assertThat(report.took().isNegative()).isFalse();
    assertThat(stored()).containsExactlyInAnyOrderElementsOf(blobs);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "team/cache"})
  void run_overBudget_evictsTheLeastRecentlyUsed_andKeepsTheMostRecentlyPulled(String prefix)
      throws IOException {
    bucket(prefix);
    List<Digest> blobs = blobs(3);
    StorePulls pulls = pulls("r1");
    pulls.recordPull(blobs.get(2));
    clock.advance(Duration.ofMinutes(1));
    pulls.recordPull(blobs.get(0));
    pulls.flush();

    EvictionReport report = eviction().run(SIZE);

    assertThat(report.evicted()).isEqualTo(2);
    assertThat(report.evictedBytes()).isEqualTo(2 * SIZE);
    assertThat(stored()).containsExactly(blobs.get(0));
  }

  @Test
  void run_countsThePullsOfEveryReplica() throws IOException {
    bucket("cache");
    List<Digest> blobs = blobs(3);
    StorePulls one = pulls("r1");
    StorePulls two = pulls("r2");
    one.recordPull(blobs.get(0));
    two.recordPull(blobs.get(2));
    one.flush();
    two.flush();

    eviction().run(2 * SIZE);

    assertThat(stored()).containsExactlyInAnyOrder(blobs.get(0), blobs.get(2));
  }

  @Test
  void run_neverEvictsABlobWithinTheGracePeriod() throws IOException {
    bucket("cache");
    List<Digest> blobs = blobs(3);
    TestClock soon = TestClock.realPlus(Duration.ofMinutes(30));

    EvictionReport report = new StoreEviction(s3, layout, soon, GRACE, HORIZON).run(0);

    assertThat(report.evicted()).isZero();
    assertThat(stored()).containsExactlyInAnyOrderElementsOf(blobs);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "cache"})
  void run_pagesThroughTheWholeListing(String prefix) throws IOException {
    bucket(prefix);
    List<Digest> blobs = blobs(7);
    StorePulls pulls = pulls("r");
    for (Digest digest : blobs.subList(4, 7)) {
      pulls.recordPull(digest);
    }
    pulls.flush();

    EvictionReport report = new StoreEviction(s3, layout, clock, GRACE, HORIZON, 2).run(3 * SIZE);

    assertThat(report.blobs()).isEqualTo(7);
    assertThat(report.evicted()).isEqualTo(4);
    assertThat(stored()).containsExactlyInAnyOrderElementsOf(blobs.subList(4, 7));
  }

  @Test
  void run_ignoresKeysThatAreNotBlobs() throws IOException {
    bucket("cache");
    Digest digest = Digest.sha256("x".getBytes(UTF_8));
    List<String> others =
        List.of(
            "cache/blobs/README",
            "cache/blobs/sha256/00/" + digest.hex(),
            "cache/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex() + ".tmp",
            "cache/mediatypes/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex(),
            "cache/repositories/docker.io/library/alpine/_tags/3.19",
            "other/blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex());
    for (String key : others) {
      put(key, new byte[SIZE]);
    }

    EvictionReport report = eviction().run(0);

    assertThat(report.blobs()).isZero();
    assertThat(report.evicted()).isZero();
    assertThat(keys()).containsExactlyInAnyOrderElementsOf(others);
  }

  @Test
  void run_withACorruptPullRecord_stillEvicts() throws IOException {
    bucket("cache");
    List<Digest> blobs = blobs(2);
    put(layout.pulls("hostile"), "not a record\n\u0000\u0001".getBytes(UTF_8));
    StorePulls pulls = pulls("r");
    pulls.recordPull(blobs.get(1));
    pulls.flush();

    eviction().run(SIZE);

    assertThat(stored()).containsExactly(blobs.get(1));
  }

  @Test
  void run_deletesThePullRecordsOfReplicasSilentForLongerThanTheHorizon() throws IOException {
    bucket("cache");
    StorePulls pulls = pulls("gone");
    pulls.recordPull(Digest.sha256("x".getBytes(UTF_8)));
    pulls.flush();

    eviction().run(0);
    assertThat(keys()).containsExactly(layout.pulls("gone"));

    clock.advance(HORIZON);
    eviction().run(0);
    assertThat(keys()).isEmpty();
  }

  /** {@code count} blobs of {@link #SIZE} bytes, written in order. */
  private List<Digest> blobs(int count) {
    List<Digest> digests = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] content = new byte[SIZE];
      content[0] = (byte) i;
      Digest digest = Digest.sha256(content);
      put(layout.blob(digest), content);
      digests.add(digest);
    }
    return digests;
  }

  private List<Digest> stored() {
    return keys().stream().flatMap(key -> layout.digestOfBlobKey(key).stream()).toList();
  }

  private void put(String key, byte[] bytes) {
    s3.putObject(
        PutObjectRequest.builder().bucket(layout.bucket()).key(key).build(),
        RequestBody.fromBytes(bytes));
  }

  private List<String> keys() {
    return s3
        .listObjectsV2(ListObjectsV2Request.builder().bucket(layout.bucket()).build())
        .contents()
        .stream()
        .map(S3Object::key)
        .toList();
  }
}
