package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.DataDirInspector;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls, with skopeo through Stevedore from the real registry, three images that together are
 * nearly twice the disk budget: every pull succeeds, the blobs on disk settle within the budget,
 * the eviction metrics move, and an image the budget evicted blobs of, pulled again, is fetched
 * again from upstream (its evicted blobs, each once and whole) and arrives complete and intact.
 */
class DiskBudgetIT {
  private static final long BUDGET = 3L * 1024 * 1024;

  /** Directory blocks and the last partial block of each file, as {@code du} counts them. */
  private static final long DU_SLACK = 256 * 1024;

  /** Tag and media type records, temp folders: small files, a block each. */
  private static final long METADATA_SLACK = 512 * 1024;

  /** A sweep or two (evicted blobs are deleted once unpinned), generous on a loaded machine. */
  private static final Duration SETTLE = Duration.ofSeconds(40);

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** A blob the CDN served: {@code CDN GET /cdn/NAME/blobs/DIGEST?expires=… -> 200}. */
  private static final Pattern CDN_BLOB =
      Pattern.compile("CDN GET /cdn/[^ ]+/blobs/(sha256:[0-9a-f]{64})\\?\\S* -> 200");

  @TempDir Path work;

  @Test
  void pullsBeyondTheBudget_succeed_andTheCacheSettlesWithinIt() throws Exception {
    TestImages images = new TestImages(2026).layerSizes(900_000, 1_000_000);
    List<TestImage> pushed = List.of(images.dockerImage(), images.ociImage(), images.dockerImage());
    long total = pushed.stream().mapToLong(image -> image.blobBytes()).sum();
    assertThat(total)
        .as("the images together exceed the budget")
        .isGreaterThan(BUDGET + BUDGET / 2);

    try (Upstream upstream = Upstream.start(work.resolve("upstream"))) {
      for (int i = 0; i < pushed.size(); i++) {
        upstream.push("team/app" + i, "v1", pushed.get(i));
      }
      Path data = work.resolve("data");
      try (InProcessStevedore proxy =
          InProcessStevedore.on(data)
              .upstream("docker.io", upstream.uri())
              .tagTtl("5m")
              .maxCacheSize("3MiB")
              .start()) {
        URI base = proxy.uri();

        for (int i = 0; i < pushed.size(); i++) {
          Path pulled = pull(base, "team/app" + i);
          assertThat(manifestDigest(pulled)).isEqualTo(pushed.get(i).digest());
        }
        String metrics = awaitSettled(base, data);
        long blobBytes = fileBytes(data.resolve("blobs"));
        long duBlobs = du(data.resolve("blobs"));
        long duData = du(data);
        double evictions = sample(metrics, "stevedore_cache_evictions_total");
        double size = sample(metrics, "stevedore_cache_size_bytes");
        report(
            "after 3 pulls of %d bytes in all: blobs %d bytes (du %d), data dir du %d, "
                + "cache_size %d, cache_blobs %d, budget %d, evictions %d",
            total,
            blobBytes,
            duBlobs,
            duData,
            (long) size,
            (long) sample(metrics, "stevedore_cache_blobs"),
            (long) sample(metrics, "stevedore_cache_budget_bytes"),
            (long) evictions);
        assertThat(blobBytes).isLessThanOrEqualTo(BUDGET);
        assertThat(duBlobs).isLessThanOrEqualTo(BUDGET + DU_SLACK);
        assertThat(duData).isLessThanOrEqualTo(BUDGET + DU_SLACK + METADATA_SLACK);
        assertThat(evictions).isPositive();
        assertThat(size).isLessThanOrEqualTo(BUDGET).isEqualTo((double) blobBytes);
        assertThat(sample(metrics, "stevedore_cache_budget_bytes")).isEqualTo((double) BUDGET);

        // An image the budget evicted blobs of (there is one: the images' blobs alone exceed
        // the budget the blobs on disk keep to) is pulled again: what it lacks is fetched again.
        DataDirInspector dataDir = new DataDirInspector(data);
        int index = -1;
        for (int i = 0; i < pushed.size() && index < 0; i++) {
          if (pushed.get(i).blobs().stream().anyMatch(blob -> !dataDir.hasBlob(blob.digest()))) {
            index = i;
          }
        }
        assertThat(index).as("an image with an evicted blob").isNotNegative();
        TestImage evicted = pushed.get(index);
        Set<String> missing =
            evicted.blobs().stream()
                .map(Blob::digest)
                .filter(digest -> !dataDir.hasBlob(digest))
                .collect(Collectors.toSet());
        boolean manifestMissing = !dataDir.hasBlob(evicted.digest());
        Map<String, Long> sizes =
            evicted.blobs().stream().collect(Collectors.toMap(Blob::digest, Blob::size));

        upstream.resetCounters();
        Path again = pull(base, "team/app" + index);
        assertPulledIntact(again, evicted);
        String after = awaitSettled(base, data);
        List<String> fetched = cdnDigests(upstream.front().requestLog());
        report(
            "pulling team/app%d again: %d of its %d blobs were evicted (manifest %s); fetched %s "
                + "(%d bytes) from the CDN; blobs now %d bytes, evictions %d",
            index,
            missing.size(),
            evicted.blobs().size(),
            manifestMissing ? "evicted" : "kept",
            fetched,
            upstream.front().cdnBytes(),
            fileBytes(data.resolve("blobs")),
            (long) sample(after, "stevedore_cache_evictions_total"));
        // Exactly the evicted blobs, each once: unless a blob fetched again (the config comes
        // before the layers) evicts one of the image's kept layers before skopeo asks for it,
        // which the policy may do; then that layer is fetched again too, still once and whole.
        assertThat(fetched)
            .as(upstream::diagnostics)
            .doesNotHaveDuplicates()
            .containsAll(missing)
            .allSatisfy(digest -> assertThat(sizes).containsKey(digest));
        assertThat(upstream.front().cdnBytes())
            .as("each blob fetched whole, once")
            .isEqualTo(fetched.stream().mapToLong(sizes::get).sum());
        assertThat(upstream.front().manifestGets())
            .as("the manifest is fetched again if and only if it was evicted")
            .isEqualTo(manifestMissing ? 1 : 0);
        assertThat(fileBytes(data.resolve("blobs"))).isLessThanOrEqualTo(BUDGET);
        assertThat(sample(after, "stevedore_cache_size_bytes")).isLessThanOrEqualTo(BUDGET);
      }
    }
  }

  /** The digests the CDN served (200), in order, from the front's request log. */
  private static List<String> cdnDigests(List<String> requestLog) {
    return requestLog.stream()
        .map(CDN_BLOB::matcher)
        .filter(Matcher::matches)
        .map(matcher -> matcher.group(1))
        .toList();
  }

  /** skopeo's {@code dir:} copy holds the image's manifest and every blob, byte for byte. */
  private static void assertPulledIntact(Path pulled, TestImage image) throws IOException {
    assertThat(manifestDigest(pulled)).isEqualTo(image.digest());
    for (Blob blob : image.blobs()) {
      Path file = pulled.resolve(blob.digest().substring("sha256:".length()));
      assertThat(Digest.sha256(Files.readAllBytes(file)).toString())
          .as("blob %s pulled into %s", blob.digest(), pulled)
          .isEqualTo(blob.digest());
    }
  }

  private Path pull(URI proxy, String repository) {
    Path destination = work.resolve("pull-" + System.nanoTime());
    new Skopeo(work)
        .copyAll(Skopeo.dockerRef(proxy, repository, "v1"), destination)
        .requireSuccess();
    return destination;
  }

  private static String manifestDigest(Path pulled) throws IOException {
    return Digest.sha256(Files.readAllBytes(pulled.resolve("manifest.json"))).toString();
  }

  /**
   * Waits until evicted blobs no longer pinned are deleted: the blobs on disk are within the budget
   * and {@code /metrics} says the same; returns that scrape.
   */
  private static String awaitSettled(URI base, Path data) throws Exception {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (true) {
      String metrics = scrape(base);
      long onDisk = fileBytes(data.resolve("blobs"));
      boolean settled =
          onDisk <= BUDGET
              && sample(metrics, "stevedore_cache_size_bytes") == onDisk
              && metrics.contains("stevedore_cache_evictions_total");
      if (settled || System.nanoTime() > deadline) {
        return metrics;
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
  }

  private static String scrape(URI base) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(base.resolve("/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** The value of the first unlabelled-or-labelled sample of {@code name}; 0 when absent. */
  private static double sample(String exposition, String name) {
    Matcher matcher =
        Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE)
            .matcher(exposition);
    return matcher.find() ? Double.parseDouble(matcher.group(2)) : 0;
  }

  /** Sum of the sizes of the regular files under {@code dir}. */
  private static long fileBytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              file -> {
                try {
                  return Files.size(file);
                } catch (IOException gone) {
                  return 0;
                }
              })
          .sum();
    }
  }

  /** {@code du -sk}: the disk space {@code dir} takes, in bytes. */
  private static long du(Path dir) throws Exception {
    Process process =
        new ProcessBuilder("du", "-sk", dir.toString()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return Long.parseLong(output.trim().split("\\s+")[0]) * 1024;
  }

  private static void report(String format, Object... values) {
    System.out.printf("DiskBudgetIT: " + format + "%n", values);
  }
}
