package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/** A replica's pull record, against S3Proxy on loopback, with and without a key prefix. */
class StorePullsTest {
  private static final Duration HORIZON = Duration.ofDays(30);
  private final Digest a = Digest.sha256("a".getBytes(UTF_8));
  private final Digest b = Digest.sha256("b".getBytes(UTF_8));
  private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
  private S3Client s3;
  private S3Layout layout;

  private void bucket(String prefix) throws IOException {
    S3TestServer server = S3TestServer.shared();
    s3 = server.client();
    layout = new S3Layout(server.newBucket(), prefix);
  }

  private StorePulls pulls(String replica) {
    return new StorePulls(s3, layout, replica, clock, HORIZON);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "team/cache"})
  void flush_writesOneRecordOfTheReplica_withTheLatestPullOfEachDigest(String prefix)
      throws IOException {
    bucket(prefix);
    StorePulls pulls = pulls("replica-1");
    pulls.recordPull(a);
    clock.advance(Duration.ofSeconds(10));
    pulls.recordPull(b);
    pulls.recordPull(a);

    assertThat(pulls.flush()).isEqualTo(2);

    String key = layout.keysPrefix() + "pulls/replica-1";
    assertThat(keys()).containsExactly(key);
    assertThat(text(key).lines())
        .containsExactlyInAnyOrder(
            a + " " + clock.instant().getEpochSecond(), b + " " + clock.instant().getEpochSecond());
  }

  @Test
  void flush_nothingPulled_writesNothing() throws IOException {
    bucket("cache");

    assertThat(pulls("r").flush()).isZero();

    assertThat(keys()).isEmpty();
  }

  @Test
  void flush_afterARestart_keepsWhatTheRecordHeld() throws IOException {
    bucket("cache");
    StorePulls before = pulls("r");
    before.recordPull(a);
    before.flush();
    Instant pulledA = clock.instant();
    clock.advance(Duration.ofHours(1));

    StorePulls after = pulls("r");
    after.recordPull(b);
    after.flush();

    assertThat(record("r")).isEqualTo(Map.of(a, pulledA, b, clock.instant()));
  }

  @Test
  void flush_forgetsPullsOlderThanTheHorizon() throws IOException {
    bucket("cache");
    StorePulls pulls = pulls("r");
    pulls.recordPull(a);
    pulls.flush();
    clock.advance(HORIZON.plusSeconds(1));

    pulls.recordPull(b);
    pulls.flush();

    assertThat(record("r")).containsOnlyKeys(b);
  }

  @Test
  void flush_overACorruptRecord_keepsItsGoodLinesAndDoesNotFail() throws IOException {
    bucket("cache");
    Instant old = clock.instant().minusSeconds(60);
    put(
        layout.pulls("r"),
        ("garbage\n"
                + a
                + " "
                + old.getEpochSecond()
                + "\nsha256:ABC 12\n"
                + b
                + " -5\n"
                + b
                + " 99999999999999999999\n")
            .getBytes(UTF_8));
    StorePulls pulls = pulls("r");
    pulls.recordPull(b);

    pulls.flush();

    assertThat(record("r")).isEqualTo(Map.of(a, old, b, clock.instant()));
  }

  @Test
  void flush_overARecordThatIsNotText_replacesIt() throws IOException {
    bucket("cache");
    put(layout.pulls("r"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, '\n'});
    StorePulls pulls = pulls("r");
    pulls.recordPull(a);

    pulls.flush();

    assertThat(record("r")).isEqualTo(Map.of(a, clock.instant()));
  }

  @Test
  void replicaId_thatIsNotOneKeySegment_isRejected() throws IOException {
    bucket("cache");
    for (String id : new String[] {"", ".", "..", "a/b", "sp ace", "x".repeat(129)}) {
      assertThatThrownBy(() -> pulls(id)).as(id).isInstanceOf(IllegalArgumentException.class);
    }
  }

  private Map<Digest, Instant> record(String replica) throws IOException {
    return PullRecord.read(s3, layout.bucket(), layout.pulls(replica));
  }

  private String text(String key) {
    return s3.getObjectAsBytes(GetObjectRequest.builder().bucket(layout.bucket()).key(key).build())
        .asUtf8String();
  }

  private void put(String key, byte[] bytes) {
    s3.putObject(
        PutObjectRequest.builder().bucket(layout.bucket()).key(key).build(),
        RequestBody.fromBytes(bytes));
  }

  private java.util.List<String> keys() {
    return s3
        .listObjectsV2(ListObjectsV2Request.builder().bucket(layout.bucket()).build())
        .contents()
        .stream()
        .map(o -> o.key())
        .toList();
  }
}
