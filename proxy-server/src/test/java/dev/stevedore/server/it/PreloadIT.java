package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.cli.CommandRun;
import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.Platform;
import dev.stevedore.server.it.support.ProcessResult;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.storage.Digest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stevedore preload} against the real CNCF registry with token auth behind a counting CDN
 * front: what it fetches, that an offline Stevedore then serves it, and that it shares a data
 * directory with a running {@code serve}.
 */
class PreloadIT {
  private static final TestImages IMAGES = new TestImages(5).layerSizes(50_000, 200_000);
  private static Upstream upstream;
  private static TestImage web;
  private static TestImage app;

  @TempDir Path work;
  private Path data;
  private final List<InProcessStevedore> proxies = new ArrayList<>();

  @BeforeAll
  static void startUpstream() throws Exception {
    upstream = Upstream.start(Files.createTempDirectory("stevedore-preload-it"));
    web = IMAGES.ociIndex();
    app = IMAGES.dockerManifestList();
    upstream.push("library/web", "1", web);
    upstream.push("team/app", "v1", app);
  }

  @AfterAll
  static void stopUpstream() {
    if (upstream != null) {
      upstream.close();
    }
  }

  @BeforeEach
  void setUp() {
    data = work.resolve("data");
    upstream.resetCounters();
  }

  @AfterEach
  void tearDown() {
    proxies.forEach(InProcessStevedore::close);
    if (!upstream.registry().isRunning()) {
      upstream.registry().start();
    }
  }

  private CommandRun preload(String... imagesAndFlags) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "preload", "--data", data.toString(), "--upstream", "docker.io=" + upstream.uri()));
    args.addAll(List.of(imagesAndFlags));
    return CommandRun.run(args.toArray(String[]::new));
  }

  private URI serve(boolean offline) throws Exception {
    InProcessStevedore proxy =
        InProcessStevedore.on(data)
            .upstream("docker.io", upstream.uri())
            .tagTtl("5m")
            .offline(offline)
            .start();
    proxies.add(proxy);
    return proxy.uri();
  }

  private ProcessResult pull(URI proxy, String repository, String reference) {
    return new Skopeo(work)
        .copyAll(
            Skopeo.dockerRef(proxy, repository, reference),
            work.resolve("pull-" + System.nanoTime()));
  }

  private static String pulledDigest(ProcessResult pull) throws Exception {
    Path dir = Path.of(pull.command().get(pull.command().size() - 1).substring("dir:".length()));
    return Digest.sha256(Files.readAllBytes(dir.resolve("manifest.json"))).toString();
  }

  private static long bytes(List<Blob> blobs) {
    return blobs.stream().mapToLong(Blob::size).sum();
  }

  @Test
  void preloadAllPlatforms_thenOfflineStevedoreServesBothImages() throws Exception {
    CommandRun run = preload("web:1", "team/app:v1");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.outLines())
        .hasSize(3)
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith(
                        "fetched docker.io/library/web:1 "
                            + web.digest()
                            + " (3 manifests, 6 blobs, "))
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith(
                        "fetched docker.io/team/app:v1 "
                            + app.digest()
                            + " (3 manifests, 6 blobs, "));
    assertThat(run.outLines().get(2))
        .startsWith("preloaded 2 images: 6 manifests, 12 blobs (12 fetched, 0 already cached), ");
    assertThat(upstream.front().cdnBytes()).isEqualTo(web.blobBytes() + app.blobBytes());
    assertThat(upstream.front().authorizationViolations()).isEmpty();

    upstream.registry().stop();
    URI offline = serve(true);
    ProcessResult webPull = pull(offline, "library/web", "1").requireSuccess();
    ProcessResult appPull = pull(offline, "team/app", "v1").requireSuccess();
    ProcessResult appByDigest = pull(offline, "team/app", app.digest()).requireSuccess();

    assertThat(pulledDigest(webPull)).isEqualTo(web.digest());
    assertThat(pulledDigest(appPull)).isEqualTo(app.digest());
    assertThat(pulledDigest(appByDigest)).isEqualTo(app.digest());
  }

  @Test
  void platformFlag_fetchesTheIndexAndOnlyThatPlatformsBlobs() {
    CommandRun run = preload("--platform", "linux/arm64", "docker.io/library/web:1");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.outLines().get(0))
        .startsWith("fetched docker.io/library/web:1 " + web.digest() + " (2 manifests, 3 blobs, ");
    assertThat(upstream.front().cdnBytes())
        .isEqualTo(bytes(web.platform(Platform.LINUX_ARM64).blobs()));
    assertThat(upstream.front().manifestGets()).isEqualTo(2);
  }

  @Test
  void platformMissingFromIndex_failsThatImage() {
    CommandRun run = preload("--platform", "linux/s390x", "web:1");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains(
            "cannot preload docker.io/library/web:1: no image for linux/s390x (it has linux/amd64,"
                + " linux/arm64)");
    assertThat(upstream.front().cdnRequests()).isZero();
  }

  @Test
  void secondPreload_fromImagesFile_downloadsNothing() throws Exception {
    Path list =
        Files.writeString(work.resolve("images.txt"), "# both\nweb:1\n\nteam/app:v1  # the app\n");
    assertThat(preload("--images-file", list.toString()).exitCode()).isZero();
    upstream.resetCounters();

    CommandRun again = preload("--images-file", list.toString());

    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(upstream.front().cdnRequests()).isZero();
    assertThat(upstream.front().manifestGets()).isZero();
    assertThat(again.outLines().subList(0, 2))
        .allSatisfy(line -> assertThat(line).endsWith("; all already cached)"));
    assertThat(again.outLines().get(2)).contains("12 blobs (0 fetched, 12 already cached)");
  }

  @Test
  void missingImage_exitsOne_namesIt_andTheOthersAreStillFetched() {
    CommandRun run = preload("library/missing:1", "web:1");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().lines().filter(line -> line.startsWith("stevedore: ")).toList())
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .startsWith("stevedore: cannot preload docker.io/library/missing:1: "));
    assertThat(run.outLines().get(0)).startsWith("fetched docker.io/library/web:1 ");
    assertThat(run.outLines().get(1)).startsWith("preloaded 1 of 2 images (1 failed)");
    assertThat(upstream.front().cdnBytes()).isEqualTo(web.blobBytes());
  }

  @Test
  void preloadWhileServeUsesTheSameDataDir() throws Exception {
    URI proxy = serve(false);
    CompletableFuture<ProcessResult> clientPull =
        CompletableFuture.supplyAsync(() -> pull(proxy, "team/app", "v1"));

    CommandRun run = preload("web:1");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(clientPull.get(60, TimeUnit.SECONDS).succeeded()).isTrue();
    upstream.resetCounters();

    ProcessResult webThroughServe = pull(proxy, "library/web", "1").requireSuccess();
    CommandRun appAgain = preload("team/app:v1");

    assertThat(pulledDigest(webThroughServe)).isEqualTo(web.digest());
    assertThat(appAgain.exitCode()).isZero();
    assertThat(appAgain.outLines().get(0)).endsWith("; all already cached)");
    assertThat(upstream.front().cdnRequests()).isZero();
  }
}
