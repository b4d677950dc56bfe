package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.CdnStreamFaults;
import dev.stevedore.server.it.support.ProcessResult;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.StevedoreProcess;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.storage.AwsChainProperties;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.S3TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Issue 16: three {@code stevedore serve} processes with one bucket (S3Proxy on loopback) and a
 * cluster secret act as one cache: a cold wave spread over them downloads each blob once and makes
 * each counted manifest request once; the holder of a download killed mid-way is taken over and
 * every pull completes intact; the relay endpoint refuses requests without the secret.
 */
class ClusterIT {
  /** A short lease, so a dead holder is taken over within seconds, not 30. */
  private static final String LEASE_TTL = "-Dstevedore.cluster.lease-ttl=6s";

  /** S3Proxy checks conditional writes non-atomically: a won lease is confirmed a moment later. */
  private static final String LEASE_SETTLE = "-Dstevedore.cluster.lease-settle=200ms";

  private static final String SECRET = "a-cluster-secret-for-the-tests-0123456789abcdef";

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Path harnessDir;
  private static Upstream upstream;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path work;

  @BeforeAll
  static void startUpstream() throws Exception {
    harnessDir = Files.createTempDirectory("stevedore-cluster-it");
    upstream = Upstream.start(harnessDir);
  }

  @AfterAll
  static void stopUpstream() {
    if (upstream != null) {
      upstream.close();
    }
  }

  private List<StevedoreProcess> replicas(int count, S3TestServer s3, String bucket)
      throws Exception {
    Path secret = work.resolve("cluster-secret");
    Files.writeString(secret, SECRET + "\n");
    List<StevedoreProcess> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      List<String> jvm = new ArrayList<>(List.of("-Xmx256m", LEASE_TTL, LEASE_SETTLE));
      jvm.addAll(AwsChainProperties.jvmOptions(s3));
      started.add(
          StevedoreProcess.serve(
              work.resolve("replica-" + i),
              work.resolve("replica-" + i + ".log"),
              jvm,
              List.of(
                  "--upstream",
                  "docker.io=" + upstream.uri(),
                  "--store",
                  "s3://" + bucket + "/cache",
                  "--s3-endpoint",
                  s3.endpoint().toString(),
                  "--cluster-secret-file",
                  secret.toString())));
    }
    return started;
  }

  private static void closeAll(List<StevedoreProcess> replicas) {
    replicas.forEach(StevedoreProcess::close);
  }

  private CompletableFuture<ProcessResult> pull(URI proxy, String repository, String tag) {
    Path destination = work.resolve("pull-" + System.nanoTime());
    return CompletableFuture.supplyAsync(
        () ->
            new Skopeo(work)
                .withTimeout(Duration.ofSeconds(120))
                .copyAll(Skopeo.dockerRef(proxy, repository, tag), destination)
                .requireSuccess());
  }

  @Test
  void aColdWaveSpreadOverThreeReplicas_downloadsEachBlobOnce_andEachManifestOnce()
      throws Exception {
    S3TestServer s3 = S3TestServer.shared();
    String bucket = s3.newBucket();
    TestImage image = new TestImages(1601).layerSizes(2_000_000, 6_000_000).ociIndex();
    upstream.push("library/wave", "1.0", image);
    upstream.resetCounters();
    List<StevedoreProcess> replicas = replicas(3, s3, bucket);
    try {
      List<CompletableFuture<ProcessResult>> pulls = new ArrayList<>();
      for (int client = 0; client < 20; client++) {
        pulls.add(pull(replicas.get(client % 3).uri(), "library/wave", "1.0"));
      }
      CompletableFuture.allOf(pulls.toArray(CompletableFuture[]::new)).join();

      assertThat(upstream.front().cdnBytes())
          .as("upstream blob bytes for 20 clients on 3 replicas\n" + logs(replicas))
          .isLessThanOrEqualTo((long) (image.blobBytes() * 1.01));
      assertThat(upstream.front().manifestGets())
          .as("counted manifest GETs: one per distinct manifest\n" + logs(replicas))
          .isEqualTo(1 + image.childManifests().size());
      for (StevedoreProcess replica : replicas) {
        assertThat(get(replica.uri().resolve("/"), null).body())
            .contains("<h2>Cluster</h2>")
            .contains("data-cluster=\"advertise\">" + replica.uri() + "<")
            .doesNotContain(SECRET)
            .doesNotContain("Stevedore-Cluster");
        assertThat(get(replica.uri().resolve("/metrics"), null).body())
            .contains("stevedore_cluster_leases_held ")
            .contains("stevedore_cluster_leases_lost_total ")
            .doesNotContain(SECRET);
      }
    } finally {
      closeAll(replicas);
    }
    assertEveryBlobHashesToItsName(s3, bucket);
  }

  @Test
  void killMinus9OfTheHolder_otherReplicasTakeOver_andEveryPullCompletesIntact() throws Exception {
    S3TestServer s3 = S3TestServer.shared();
    String bucket = s3.newBucket();
    TestImage image =
        new TestImages(1602).layersPerPlatform(1).layerSizes(12_000_000, 12_000_000).dockerImage();
    Blob layer = image.platforms().get(0).layers().get(0);
    upstream.push("library/failover", "1.0", image);
    upstream.resetCounters();
    CdnStreamFaults cdn = upstream.front().streamFaults();
    cdn.stall(layer.digest(), 5L * 1024 * 1024);
    List<StevedoreProcess> replicas = replicas(3, s3, bucket);
    try {
      CompletableFuture<ProcessResult> first =
          pull(replicas.get(0).uri(), "library/failover", "1.0");
      awaitUntil(() -> cdn.stalledResponses() == 1, "the holder's download is mid-way", replicas);
      List<CompletableFuture<ProcessResult>> others =
          List.of(
              pull(replicas.get(1).uri(), "library/failover", "1.0"),
              pull(replicas.get(2).uri(), "library/failover", "1.0"));
      Thread.sleep(1500); // the followers relay from the holder meanwhile
      replicas.get(0).kill();
      cdn.releaseStalls();
      cdn.reset();
      first.handle((done, failed) -> null).join(); // its client lost its server

      for (CompletableFuture<ProcessResult> pull : others) {
        assertThat(pull.join().succeeded()).isTrue();
      }
      assertThat(upstream.front().cdnBytes())
          .as("upstream bytes with one takeover\n" + logs(replicas))
          .isLessThanOrEqualTo(2L * image.blobBytes());
      List<StevedoreProcess> survivors = replicas.subList(1, 3);
      assertThat(sum(survivors, "stevedore_cluster_relayed_bytes_total"))
          .as("bytes the survivors relayed from the holder\n" + logs(replicas))
          .isPositive();
      assertThat(sum(survivors, "stevedore_cluster_takeovers_total"))
          .as("takeovers of the dead holder's download\n" + logs(replicas))
          .isGreaterThanOrEqualTo(1);
    } finally {
      cdn.releaseStalls();
      cdn.reset();
      closeAll(replicas);
    }
    assertEveryBlobHashesToItsName(s3, bucket);
  }

  @Test
  void relayWithoutTheSecret_isRefused_asAnUnknownPath() throws Exception {
    S3TestServer s3 = S3TestServer.shared();
    String bucket = s3.newBucket();
    TestImage image = new TestImages(1603).layerSizes(100_000, 200_000).dockerImage();
    upstream.push("library/secret", "1.0", image);
    List<StevedoreProcess> replicas = replicas(1, s3, bucket);
    try {
      URI replica = replicas.get(0).uri();
      pull(replica, "library/secret", "1.0").join();
      String digest = image.platforms().get(0).layers().get(0).digest();
      URI relay = replica.resolve("/_stevedore/cluster/blobs/" + digest + "?ns=docker.io");

      HttpResponse<String> anonymous = get(relay, null);
      HttpResponse<String> forged =
          get(relay, "Stevedore-Cluster t=" + Instant.now().getEpochSecond() + ",s=00ff");
      HttpResponse<String> unknown = get(replica.resolve("/_stevedore/nothing"), null);

      assertThat(anonymous.statusCode()).isEqualTo(404).isEqualTo(unknown.statusCode());
      assertThat(forged.statusCode()).isEqualTo(404);
      assertThat(anonymous.body())
          .contains("\"code\":\"UNSUPPORTED\"")
          .isEqualTo(unknown.body().replace("/_stevedore/nothing", relay.getPath()));
    } finally {
      closeAll(replicas);
    }
  }

  /** The sum over {@code replicas} of every series of the counter {@code name} on /metrics. */
  private static double sum(List<StevedoreProcess> replicas, String name) throws Exception {
    double sum = 0;
    for (StevedoreProcess replica : replicas) {
      for (String line : get(replica.uri().resolve("/metrics"), null).body().split("\n")) {
        if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    }
    return sum;
  }

  private static HttpResponse<String> get(URI uri, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Every blob the replicas put into the bucket holds exactly the bytes of its name. */
  private static void assertEveryBlobHashesToItsName(S3TestServer s3, String bucket) {
    List<S3Object> blobs =
        s3.client()
            .listObjectsV2(
                ListObjectsV2Request.builder().bucket(bucket).prefix("cache/blobs/").build())
            .contents();
    assertThat(blobs).isNotEmpty();
    for (S3Object blob : blobs) {
      ResponseBytes<GetObjectResponse> bytes =
          s3.client()
              .getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(blob.key()).build());
      String hex = blob.key().substring(blob.key().lastIndexOf('/') + 1);
      assertThat(Digest.sha256(bytes.asByteArray()).hex()).as(blob.key()).isEqualTo(hex);
    }
  }

  private static String logs(List<StevedoreProcess> replicas) {
    StringBuilder all = new StringBuilder(upstream.diagnostics());
    for (int i = 0; i < replicas.size(); i++) {
      all.append("\n== replica ").append(i).append(" ==\n").append(replicas.get(i).log());
    }
    return all.toString();
  }

  private static void awaitUntil(
      BooleanSupplier condition, String what, List<StevedoreProcess> replicas)
      throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(45);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within 45 s: " + what + "\n" + logs(replicas));
      }
      Thread.sleep(20);
    }
  }
}
