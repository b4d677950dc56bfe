package dev.stevedore.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.storage.Digest;
import dev.stevedore.storage.S3Connection;
import dev.stevedore.storage.S3Layout;
import dev.stevedore.storage.S3TestServer;
import dev.stevedore.storage.StaleUploads;
import dev.stevedore.storage.StoreCheck;
import dev.stevedore.storage.StoreEviction;
import dev.stevedore.storage.StorePulls;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code --max-store-size} at work: the housekeeping evicts the least recently pulled blobs of the
 * bucket beyond the budget, by the pull records replicas flush, and flushes its own on close.
 * Against S3Proxy; the eviction's clock runs two hours ahead, past the grace of new blobs.
 */
class StoreHousekeepingTest {
  private final S3TestServer s3Server;
  private final S3Client s3;
  private final S3Layout layout;

  StoreHousekeepingTest() throws Exception {
    s3Server = S3TestServer.shared();
    s3 = s3Server.client();
    layout = new S3Layout(s3Server.newBucket(), "cache");
  }

  @Test
  void overBudget_evictsTheLeastRecentlyPulled_andCloseFlushesThePulls() throws Exception {
    put("an old blob nobody pulls any more");
    Digest pulled = put("a blob this replica just pulled");
    StorePulls pulls = new StorePulls(s3, layout, "replica-test");
    pulls.recordPull(pulled);
    pulls.flush();
    Clock later = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
    long budget = "a blob this replica just pulled".length();
    try (S3Connection connection =
        S3Connection.open(layout, java.util.Optional.of(s3Server.endpoint()), "us-east-1")) {
      StoreHousekeeping housekeeping =
          new StoreHousekeeping(
              new StoreHealth(
                  connection, new StoreCheck.Result(StoreCheck.Verdict.REACHABLE, "reachable")),
              pulls,
              new StaleUploads(s3, layout),
              new StoreEviction(
                  s3, layout, later, StoreEviction.DEFAULT_GRACE, StorePulls.DEFAULT_HORIZON),
              OptionalLong.of(budget));

      housekeeping.evictNow().get();
      Digest next = Digest.sha256("pulled later".getBytes(StandardCharsets.UTF_8));
      pulls.recordPull(next);
      housekeeping.close();
    }

    assertThat(blobKeys()).containsExactly(layout.blob(pulled));
    String record =
        s3.getObjectAsBytes(
                GetObjectRequest.builder()
                    .bucket(layout.bucket())
                    .key(layout.pulls("replica-test"))
                    .build())
            .asUtf8String();
    assertThat(record).contains(pulled.toString()).contains("sha256:");
    assertThat(record.lines().count()).as("the pull noted before close was flushed").isEqualTo(2);
  }

  private Digest put(String content) {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256(bytes);
    s3.putObject(
        PutObjectRequest.builder().bucket(layout.bucket()).key(layout.blob(digest)).build(),
        RequestBody.fromBytes(bytes));
    return digest;
  }

  private List<String> blobKeys() {
    return s3
        .listObjectsV2(
            ListObjectsV2Request.builder()
                .bucket(layout.bucket())
                .prefix(layout.blobsPrefix())
                .build())
        .contents()
        .stream()
        .map(S3Object::key)
        .toList();
  }
}
