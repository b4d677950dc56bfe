package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Leases against a real S3 server (S3Proxy, which checks {@code If-None-Match} and {@code If-Match}
 * on {@code PutObject}, see {@link S3ConditionalPutTest}, though not atomically), with a clock that
 * moves only when a test says so. Races are staged deterministically: a faulty network lets another
 * replica write between a claimer's read and its conditional write.
 */
class S3LeasesTest {
  private static final String NAME = "blobs/sha256:" + "ab".repeat(32);
  private static final String A = "http://10.1.2.3:5000";
  private static final String B = "http://10.1.2.4:5000";
  private static final Duration TTL = S3Leases.DEFAULT_TTL;

  private S3TestServer server;
  private S3Layout layout;
  private TestClock clock;
  private S3Leases leases;
  private final List<AutoCloseable> clients = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    server = S3TestServer.shared();
    layout = new S3Layout(server.newBucket(), "cache");
    clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    leases = new S3Leases(server.client(), layout, clock, TTL);
  }

  @AfterEach
  void closeClients() throws Exception {
    for (AutoCloseable client : clients) {
      client.close();
    }
  }

  @Test
  void claim_noLease_isMineUntilATtlFromNow() throws IOException {
    S3Leases.Claim claim = leases.claim(NAME, A, "replica-a");

    assertThat(claim).isInstanceOf(S3Leases.Claim.Mine.class);
    Lease lease = claim.lease();
    assertThat(lease.name()).isEqualTo(NAME);
    assertThat(lease.holder()).isEqualTo(A);
    assertThat(lease.replicaId()).isEqualTo("replica-a");
    assertThat(lease.expires()).isEqualTo(clock.instant().plus(TTL));
    assertThat(leases.read(NAME)).contains(lease);
  }

  @Test
  void claim_liveLeaseOfAnother_isTheirsNamingTheHolder() throws IOException {
    Lease theirs = leases.claim(NAME, A, "replica-a").lease();

    S3Leases.Claim claim = leases.claim(NAME, B, "replica-b");

    assertThat(claim).isEqualTo(new S3Leases.Claim.Theirs(theirs));
    assertThat(claim.lease().holder()).isEqualTo(A);
  }

  @Test
  void claim_pastExpiryButWithinTheClockMargin_isStillTheirs() throws IOException {
    leases.claim(NAME, A, "replica-a");
    clock.advance(TTL.plus(leases.margin()).minusMillis(1));

    assertThat(leases.claim(NAME, B, "replica-b")).isInstanceOf(S3Leases.Claim.Theirs.class);
  }

  @Test
  void claim_expiredLease_isTakenOverAndTheOldHolderCannotRenew() throws IOException {
    Lease old = leases.claim(NAME, A, "replica-a").lease();
    clock.advance(TTL.plus(leases.margin()));

    S3Leases.Claim claim = leases.claim(NAME, B, "replica-b");

    assertThat(claim).isInstanceOf(S3Leases.Claim.Mine.class);
    assertThat(claim.lease().holder()).isEqualTo(B);
    assertThat(claim.lease().etag()).isNotEqualTo(old.etag());
    assertThat(leases.renew(old)).isEmpty();
    assertThat(leases.read(NAME)).contains(claim.lease());
  }

  @Test
  void renew_extendsTheLeaseSoItIsNotTakenOver() throws IOException {
    Lease mine = leases.claim(NAME, A, "replica-a").lease();
    clock.advance(TTL.dividedBy(3));

    Optional<Lease> renewed = leases.renew(mine);
    clock.advance(TTL.dividedBy(3).multipliedBy(2).plus(leases.margin()));

    assertThat(renewed).isPresent();
    assertThat(renewed.get().expires()).isEqualTo(mine.expires().plus(TTL.dividedBy(3)));
    assertThat(renewed.get().etag()).isNotEqualTo(mine.etag());
    assertThat(leases.claim(NAME, B, "replica-b"))
        .isEqualTo(new S3Leases.Claim.Theirs(renewed.get()));
    assertThat(leases.renew(mine)).as("the version renewed is gone").isEmpty();
  }

  @Test
  void holds_untilTheExpiryByTheHoldersClock() throws IOException {
    Lease mine = leases.claim(NAME, A, "replica-a").lease();

    clock.advance(TTL.minusMillis(1));
    assertThat(leases.holds(mine)).isTrue();
    clock.advance(Duration.ofMillis(1));
    assertThat(leases.holds(mine)).isFalse();
  }

  @Test
  void claim_storeUnreadableRightAfterOurWrite_theWriteDecides() throws IOException {
    AtomicBoolean written = new AtomicBoolean();
    S3Leases flaky =
        through(
            new ExecutionInterceptor() {
              @Override
              public void beforeTransmission(
                  Context.BeforeTransmission context, ExecutionAttributes attributes) {
                if (isConditional(context.httpRequest())) {
                  written.set(true);
                } else if (written.get()) {
                  throw SdkClientException.create("Unable to execute HTTP request: timed out");
                }
              }
            });

    S3Leases.Claim claim = flaky.claim(NAME, A, "replica-a");

    assertThat(claim).isInstanceOf(S3Leases.Claim.Mine.class);
    assertThat(leases.read(NAME)).contains(claim.lease());
  }

  @Test
  void release_letsAnotherClaimAtOnce() throws IOException {
    Lease mine = leases.claim(NAME, A, "replica-a").lease();

    leases.release(mine);

    assertThat(leases.claim(NAME, B, "replica-b")).isInstanceOf(S3Leases.Claim.Mine.class);
    assertThat(leases.renew(mine)).isEmpty();
  }

  @Test
  void release_ofALeaseTakenOver_leavesTheNewHolderAlone() throws IOException {
    Lease old = leases.claim(NAME, A, "replica-a").lease();
    clock.advance(TTL.plus(leases.margin()));
    Lease current = leases.claim(NAME, B, "replica-b").lease();

    leases.release(old);

    assertThat(leases.read(NAME)).contains(current);
  }

  @Test
  void release_storeUnreachable_doesNotThrow() throws IOException {
    Lease mine = leases.claim(NAME, A, "replica-a").lease();

    through(new RequestLost(any -> true)).release(mine);

    assertThat(leases.read(NAME)).contains(mine);
  }

  @Test
  void claim_liveLeaseOfTheSameReplica_isTakenOverAndItsOldLifeLosesIt() throws IOException {
    Lease earlierLife = leases.claim(NAME, A, "replica-a").lease();
    String newAddress = "http://10.1.2.9:5000";

    S3Leases.Claim claim = leases.claim(NAME, newAddress, "replica-a");

    assertThat(claim).isInstanceOf(S3Leases.Claim.Mine.class);
    assertThat(claim.lease().holder()).isEqualTo(newAddress);
    assertThat(leases.renew(earlierLife)).isEmpty();
    assertThat(leases.renew(claim.lease())).isPresent();
  }

  @Test
  void claim_corruptOrHostileLease_readsAsAbsentAndIsTakenOver() throws IOException {
    String valid = "\n" + clock.instant().plus(TTL).toEpochMilli() + "\ntoken\n";
    String farFuture = clock.instant().plus(Duration.ofDays(365)).toEpochMilli() + "";
    List<byte[]> bodies =
        List.of(
            new byte[0],
            "garbage".getBytes(UTF_8),
            new byte[] {(byte) 0xff, (byte) 0xfe, '\n'},
            ("x".repeat(LineRecords.MAX_RECORD_BYTES) + "\n").getBytes(UTF_8),
            (A + "\nreplica-a" + valid.substring(1)).replace("token\n", "").getBytes(UTF_8),
            ("file:///etc/passwd\nreplica-a" + valid).getBytes(UTF_8),
            ("http://user:pw@10.0.0.1/\nreplica-a" + valid).getBytes(UTF_8),
            (A + "\n../../x" + valid).getBytes(UTF_8),
            (A + "\nreplica-a\n-5\ntoken\n").getBytes(UTF_8),
            (A + "\nreplica-a\n99999999999999999999\ntoken\n").getBytes(UTF_8),
            (A + "\nreplica-a\n" + farFuture + "\ntoken\n").getBytes(UTF_8));
    for (byte[] body : bodies) {
      putRaw(body);
      assertThat(leases.read(NAME)).as(new String(body, UTF_8)).isEmpty();

      S3Leases.Claim claim = leases.claim(NAME, B, "replica-b");

      assertThat(claim).as(new String(body, UTF_8)).isInstanceOf(S3Leases.Claim.Mine.class);
    }
    putRaw((A + "\nreplica-a" + valid).getBytes(UTF_8));
    assertThat(leases.claim(NAME, B, "replica-b")).isInstanceOf(S3Leases.Claim.Theirs.class);
  }

  @Test
  void claim_anotherCreatesTheLeaseFirst_lostRaceIsTheirs() throws IOException {
    S3Leases rival = leases;
    S3Leases racing = through(new Before(() -> rival.claim(NAME, B, "replica-b")));

    S3Leases.Claim claim = racing.claim(NAME, A, "replica-a");

    assertThat(claim).isInstanceOf(S3Leases.Claim.Theirs.class);
    assertThat(claim.lease().holder()).isEqualTo(B);
  }

  @Test
  void claim_anotherTakesOverFirst_lostRaceIsTheirs() throws IOException {
    leases.claim(NAME, "http://10.1.2.5:5000", "replica-dead");
    clock.advance(TTL.plus(leases.margin()));
    S3Leases rival = leases;
    S3Leases racing = through(new Before(() -> rival.claim(NAME, B, "replica-b")));

    S3Leases.Claim claim = racing.claim(NAME, A, "replica-a");

    assertThat(claim).isInstanceOf(S3Leases.Claim.Theirs.class);
    assertThat(claim.lease().holder()).isEqualTo(B);
  }

  @Test
  void claim_answerLostAfterOurWriteLanded_isMine() throws IOException {
    S3Leases.Claim claim = through(new AnswerLost()).claim(NAME, A, "replica-a");

    assertThat(claim).isInstanceOf(S3Leases.Claim.Mine.class);
    assertThat(leases.read(NAME)).contains(claim.lease());
  }

  @Test
  void claim_answerLostAfterAnotherWon_isTheirs() throws IOException {
    S3Leases rival = leases;
    AnswerLost network = new AnswerLost();
    network.before = new Before(() -> rival.claim(NAME, B, "replica-b"));

    S3Leases.Claim claim = through(network).claim(NAME, A, "replica-a");

    assertThat(claim).isInstanceOf(S3Leases.Claim.Theirs.class);
    assertThat(claim.lease().holder()).isEqualTo(B);
  }

  @Test
  void claim_requestNeverArrived_isAnError() {
    assertThatThrownBy(
            () -> through(new RequestLost(S3LeasesTest::isConditional)).claim(NAME, A, "r"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("conditional PUT of " + layout.lease(NAME));
  }

  @Test
  void renew_answerLostAfterItLanded_isRenewed() throws IOException {
    Lease mine = leases.claim(NAME, A, "replica-a").lease();
    clock.advance(Duration.ofSeconds(10));

    Optional<Lease> renewed = through(new AnswerLost()).renew(mine);

    assertThat(renewed).isPresent();
    assertThat(renewed.get().expires()).isEqualTo(clock.instant().plus(TTL));
    assertThat(leases.read(NAME)).isEqualTo(renewed);
  }

  @Test
  void renew_requestNeverArrived_isAnErrorAndTheLeaseStillStands() throws IOException {
    Lease mine = leases.claim(NAME, A, "replica-a").lease();

    assertThatThrownBy(() -> through(new RequestLost(S3LeasesTest::isConditional)).renew(mine))
        .isInstanceOf(IOException.class);
    assertThat(leases.renew(mine)).isPresent();
  }

  @Test
  void claim_invalidHolderOrReplicaId_isRejected() {
    assertThatThrownBy(() -> leases.claim(NAME, "10.1.2.3:5000", "r"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> leases.claim(NAME, A, "a/b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> leases.claim("../x", A, "r"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Eight replicas claim the same absent lease at once. AWS S3 and MinIO let exactly one create
   * win; S3Proxy checks {@code If-None-Match} before it writes, not atomically, so two creates may
   * both succeed there (a claim's confirming read makes a second {@code Mine} rare; without it, up
   * to eight of eight were seen). What holds on any server: every claimer gets an answer, the
   * stored lease is one that a claimer was told is {@code Mine}, and of all the leases told {@code
   * Mine} exactly one can be renewed — the ETag decides, so a second winner learns at its first
   * renewal that it is not the holder.
   */
  @Test
  void claim_concurrentlyByEightReplicas_exactlyOneHolderRemains() throws Exception {
    int replicas = 8;
    ExecutorService pool = Executors.newFixedThreadPool(replicas);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<S3Leases.Claim>> answers = new ArrayList<>();
      for (int i = 0; i < replicas; i++) {
        String holder = "http://10.1.2." + (10 + i) + ":5000";
        String id = "replica-" + i;
        Callable<S3Leases.Claim> claim =
            () -> {
              start.await();
              return leases.claim(NAME, holder, id);
            };
        answers.add(pool.submit(claim));
      }
      start.countDown();
      List<Lease> mine = new ArrayList<>();
      for (Future<S3Leases.Claim> answer : answers) {
        if (answer.get() instanceof S3Leases.Claim.Mine claim) {
          mine.add(claim.lease());
        }
      }

      Lease stored = leases.read(NAME).orElseThrow();
      assertThat(mine).contains(stored);
      long renewable = 0;
      for (Lease lease : mine) {
        renewable += leases.renew(lease).isPresent() ? 1 : 0;
      }
      assertThat(renewable).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  private void putRaw(byte[] body) {
    PutObjectRequest put =
        PutObjectRequest.builder().bucket(layout.bucket()).key(layout.lease(NAME)).build();
    server.client().putObject(put, RequestBody.fromBytes(body));
  }

  /** Leases whose requests pass {@code network}, sharing this test's bucket and clock. */
  private S3Leases through(ExecutionInterceptor network) {
    var client = server.clientThrough(network);
    clients.add(client);
    return new S3Leases(client, layout, clock, TTL);
  }

  private static boolean isConditional(SdkHttpRequest request) {
    return request.firstMatchingHeader("If-None-Match").isPresent()
        || request.firstMatchingHeader("If-Match").isPresent();
  }

  /** Another replica acts just before this one's first conditional write is sent. */
  private static final class Before implements ExecutionInterceptor {
    private final Action action;
    private final AtomicBoolean done = new AtomicBoolean();

    Before(Action action) {
      this.action = action;
    }

    @Override
    public void beforeTransmission(
        Context.BeforeTransmission context, ExecutionAttributes attributes) {
      if (isConditional(context.httpRequest()) && done.compareAndSet(false, true)) {
        try {
          action.run();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /** The server handles the first conditional write; its answer never reaches the client. */
  private static final class AnswerLost implements ExecutionInterceptor {
    private final AtomicBoolean lost = new AtomicBoolean();
    Before before;

    @Override
    public void beforeTransmission(
        Context.BeforeTransmission context, ExecutionAttributes attributes) {
      if (before != null) {
        before.beforeTransmission(context, attributes);
      }
    }

    @Override
    public void afterTransmission(
        Context.AfterTransmission context, ExecutionAttributes attributes) {
      if (isConditional(context.httpRequest()) && lost.compareAndSet(false, true)) {
        throw SdkClientException.create("Error writing request body to server");
      }
    }
  }

  /** Requests that {@code affected} selects never reach the server. */
  private static final class RequestLost implements ExecutionInterceptor {
    private final java.util.function.Predicate<SdkHttpRequest> affected;

    RequestLost(java.util.function.Predicate<SdkHttpRequest> affected) {
      this.affected = affected;
    }

    @Override
    public void beforeTransmission(
        Context.BeforeTransmission context, ExecutionAttributes attributes) {
      if (affected.test(context.httpRequest())) {
        throw SdkClientException.create("Unable to execute HTTP request: Connection refused");
      }
    }
  }

  @FunctionalInterface
  private interface Action {
    void run() throws IOException;
  }
}
