package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.cli.StevedoreCommand;
import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.CdnStreamFaults;
import dev.stevedore.server.it.support.Containerd;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.ProcessResult;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.StevedoreProcess;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.storage.AwsChainProperties;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.S3TestServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Issue 15: the cache kept in an S3 bucket (S3Proxy on loopback) with the data directory as hot
 * tier. Replicas are {@code stevedore serve} processes with data directories of their own and one
 * bucket; the upstream is the real registry with token auth behind its CDN.
 */
class SharedStoreIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Path harnessDir;
  private static Upstream upstream;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path work;

  @BeforeAll
  static void startUpstream() throws Exception {
    harnessDir = Files.createTempDirectory("stevedore-shared-store-it");
    upstream = Upstream.start(harnessDir);
  }

  @AfterAll
  static void stopUpstream() {
    if (upstream != null) {
      upstream.close();
    }
  }

  private StevedoreProcess replica(String name, S3TestServer s3, String bucket, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--upstream",
                "docker.io=" + upstream.uri(),
                "--store",
                "s3://" + bucket + "/cache",
                "--s3-endpoint",
                s3.endpoint().toString()));
    args.addAll(List.of(more));
    List<String> jvm = new java.util.ArrayList<>(List.of("-Xmx256m"));
    jvm.addAll(AwsChainProperties.jvmOptions(s3));
    return StevedoreProcess.serve(
        work.resolve(name + "-data"), work.resolve(name + ".log"), jvm, args);
  }

  private Path pull(URI proxy, String repository, String reference) {
    Path destination = work.resolve("pull-" + System.nanoTime());
    new Skopeo(work)
        .withTimeout(Duration.ofSeconds(90))
        .copyAll(Skopeo.dockerRef(proxy, repository, reference), destination)
        .requireSuccess();
    return destination;
  }

  private static String manifestDigest(Path pulled) throws Exception {
    return Digest.sha256(Files.readAllBytes(pulled.resolve("manifest.json"))).toString();
  }

  @Test
  void aSecondReplica_servesWhatTheFirstPulled_withoutAnyUpstreamBlobByteOrManifestGet()
      throws Exception {
    S3TestServer s3 = S3TestServer.shared();
    String bucket = s3.newBucket();
    TestImage image = new TestImages(1501).layerSizes(200_000, 700_000).ociIndex();
    upstream.push("library/shared", "1.0", image);

    try (StevedoreProcess first = replica("first", s3, bucket)) {
      assertThat(manifestDigest(pull(first.uri(), "library/shared", "1.0")))
          .isEqualTo(image.digest());
    }
    assertThat(keys(s3, bucket, "cache/blobs/")).as("blobs in the bucket").isNotEmpty();
    assertThat(keys(s3, bucket, "cache/repositories/")).as("tags and links").isNotEmpty();
    upstream.resetCounters();

    try (StevedoreProcess second = replica("second", s3, bucket)) {
      Path pulled = pull(second.uri(), "library/shared", "1.0");

      assertThat(manifestDigest(pulled)).isEqualTo(image.digest());
      assertThat(upstream.front().cdnBytes()).as("upstream blob bytes").isZero();
      assertThat(upstream.front().manifestGets()).as("counted manifest GETs").isZero();
      assertThat(upstream.front().manifestHeads()).as("tags are fresh: no HEAD").isZero();
    }
    assertThat(Files.walk(work.resolve("second-data")).filter(Files::isRegularFile).count())
        .as("the second replica's local tier holds what it served")
        .isPositive();
  }

  @Test
  void storeStoppedMidRun_localTierIsServed_missesGet503_andReadinessSaysWhy() throws Exception {
    S3TestServer s3 = S3TestServer.startOwn();
    String bucket = s3.newBucket();
    TestImage hot = new TestImages(1502).layerSizes(100_000, 300_000).dockerImage();
    TestImage cold = new TestImages(1503).layerSizes(100_000, 300_000).dockerImage();
    upstream.push("library/hot", "1.0", hot);
    upstream.push("library/cold", "1.0", cold);
    try (AwsChainProperties aws = AwsChainProperties.of(s3);
        InProcessStevedore proxy =
            InProcessStevedore.on(work.resolve("data"))
                .upstream("docker.io", upstream.uri())
                .flag("--store", "s3://" + bucket, "--s3-endpoint", s3.endpoint().toString())
                .start()) {
      pull(proxy.uri(), "library/hot", "1.0");
      assertThat(get(proxy.uri().resolve("/readyz")).statusCode()).isEqualTo(200);

      s3.stop();

      assertThat(manifestDigest(pull(proxy.uri(), "library/hot", "1.0")))
          .as("the local tier still serves")
          .isEqualTo(hot.digest());
      Instant asked = Instant.now();
      HttpResponse<String> miss =
          get(
              proxy
                  .uri()
                  .resolve(
                      "/v2/library/cold/blobs/"
                          + cold.platforms().get(0).layers().get(0).digest()));
      assertThat(miss.statusCode()).isEqualTo(503);
      assertThat(miss.body()).contains("\"code\":\"UNAVAILABLE\"");
      assertThat(Duration.between(asked, Instant.now())).isLessThan(Duration.ofSeconds(30));
      awaitUntil(() -> get(proxy.uri().resolve("/readyz")).statusCode() == 503, "readiness fails");
      assertThat(get(proxy.uri().resolve("/readyz")).body()).contains("store");
      assertThat(get(proxy.uri().resolve("/")).body())
          .as("the status page shows the store down")
          .contains("<h2>Shared store</h2>")
          .contains("data-store=\"state\" class=\"down\">");
      assertThat(get(proxy.uri().resolve("/metrics")).body())
          .as("the store's requests and bytes are metered")
          .containsPattern("stevedore_store_requests_total\\{operation=\"\\w+\",outcome=\"ok\"\\}")
          .containsPattern(
              "stevedore_store_requests_total\\{operation=\"\\w+\",outcome=\"error\"\\}")
          .containsPattern("stevedore_store_bytes_total\\{direction=\"sent\"\\} [1-9]");
    } finally {
      s3.stop();
    }
  }

  @Test
  void storeUnreachableAtStart_serveStartsNotReady_andSaysWhy() throws Exception {
    S3TestServer s3 = S3TestServer.startOwn();
    String bucket = s3.newBucket();
    URI endpoint = s3.endpoint();
    s3.stop(); // its port now refuses connections
    try (AwsChainProperties aws = AwsChainProperties.of(s3);
        InProcessStevedore proxy =
            InProcessStevedore.on(work.resolve("data"))
                .upstream("docker.io", upstream.uri())
                .flag("--store", "s3://" + bucket, "--s3-endpoint", endpoint.toString())
                .start()) {
      assertThat(get(proxy.uri().resolve("/v2/")).statusCode()).isEqualTo(200);
      HttpResponse<String> ready = get(proxy.uri().resolve("/readyz"));

      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("store: the store at " + endpoint).contains("unreachable");
    }
  }

  @Test
  void killMinus9DuringAMultipartUpload_leavesNoVisibleBlob() throws Exception {
    S3TestServer s3 = S3TestServer.shared();
    String bucket = s3.newBucket();
    TestImage image =
        new TestImages(1504).layersPerPlatform(1).layerSizes(20_000_000, 20_000_000).dockerImage();
    Blob layer = image.platforms().get(0).layers().get(0);
    upstream.push("library/big", "1.0", image);
    CdnStreamFaults cdn = upstream.front().streamFaults();
    cdn.stall(layer.digest(), 12L * 1024 * 1024);
    try (StevedoreProcess doomed = replica("doomed", s3, bucket)) {
      CompletableFuture<ProcessResult> pulling =
          CompletableFuture.supplyAsync(
              () ->
                  new Skopeo(work)
                      .withTimeout(Duration.ofSeconds(60))
                      .copyAll(
                          Skopeo.dockerRef(doomed.uri(), "library/big", "1.0"),
                          work.resolve("doomed-pull")));
      awaitUntil(
          () -> cdn.stalledResponses() == 1 && pendingUploads(s3, bucket) == 1,
          "a part of the layer is uploaded");
      doomed.kill();
      pulling.join();
    } finally {
      cdn.releaseStalls();
      cdn.reset();
    }
    String key =
        "cache/blobs/sha256/" + layer.digest().substring(7, 9) + "/" + layer.digest().substring(7);
    assertThat(keys(s3, bucket, "cache/blobs/")).doesNotContain(key);
  }

  @Test
  void blobRedirect_skopeoAndContainerdFetchTheBlobsFromTheStore() throws Exception {
    S3TestServer s3 = S3TestServer.shared();
    String bucket = s3.newBucket();
    TestImage image = new TestImages(1505).layerSizes(150_000, 500_000).ociIndex();
    upstream.push("library/redirected", "1.0", image);
    try (AwsChainProperties aws = AwsChainProperties.of(s3);
        InProcessStevedore proxy =
            InProcessStevedore.on(work.resolve("data"))
                .upstream("docker.io", upstream.uri())
                .flag(
                    "--store",
                    "s3://" + bucket,
                    "--s3-endpoint",
                    s3.endpoint().toString(),
                    "--blob-redirect")
                .start();
        Containerd containerd = Containerd.start()) {
      pull(proxy.uri(), "library/redirected", "1.0"); // cold: streamed, and stored
      upstream.resetCounters();
      MeterRegistry meters = proxy.proxy().metrics().registry();
      double hitBytesBefore = servedBytes(meters, "hit");

      Path warm = pull(proxy.uri(), "library/redirected", "1.0");

      assertThat(manifestDigest(warm)).isEqualTo(image.digest());
      assertThat(redirects(meters)).as("skopeo followed 307s").isPositive();
      double afterSkopeo = redirects(meters);

      Path hostsDir = work.resolve("certs.d");
      assertThat(
              StevedoreCommand.run(
                  "containerd-config",
                  "--mirror",
                  proxy.uri().toString(),
                  "--registry",
                  "docker.io",
                  "--out",
                  hostsDir.toString()))
          .isZero();
      ProcessResult ctr =
          containerd.pull(
              "redirect", hostsDir, "docker.io/library/redirected:1.0", "--all-platforms");
      assertThat(ctr.succeeded()).as(ctr.output() + "\n" + containerd.log()).isTrue();
      assertThat(containerd.images("redirect"))
          .containsEntry("docker.io/library/redirected:1.0", image.digest());
      assertThat(redirects(meters)).as("containerd followed 307s").isGreaterThan(afterSkopeo);

      assertThat(servedBytes(meters, "hit") - hitBytesBefore)
          .as("blob bytes did not flow through Stevedore")
          .isLessThan(image.blobBytes());
      assertThat(upstream.front().cdnBytes()).isZero();
    }
  }

  private static double redirects(MeterRegistry meters) {
    return meters.find("stevedore.requests").tag("outcome", "redirected").timers().stream()
        .mapToDouble(Timer::count)
        .sum();
  }

  private static double servedBytes(MeterRegistry meters, String outcome) {
    Counter counter = meters.find("stevedore.served.bytes").tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  private static List<String> keys(S3TestServer s3, String bucket, String prefix) {
    return s3
        .client()
        .listObjectsV2(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build())
        .contents()
        .stream()
        .map(S3Object::key)
        .toList();
  }

  private static int pendingUploads(S3TestServer s3, String bucket) {
    return s3.client()
        .listMultipartUploads(ListMultipartUploadsRequest.builder().bucket(bucket).build())
        .uploads()
        .size();
  }

  private static HttpResponse<String> get(URI uri) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("GET " + uri + " failed", e);
    }
  }

  private static void awaitUntil(BooleanSupplier condition, String what)
      throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(45);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within 45 s: " + what + "\n" + upstream.diagnostics());
      }
      Thread.sleep(20);
    }
  }
}
