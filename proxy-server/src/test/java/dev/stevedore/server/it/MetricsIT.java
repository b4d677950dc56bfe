package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scripted sequence of misses, hits and an upstream 429, read back from {@code /metrics}. */
class MetricsIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final String MANIFEST_ACCEPT =
      "application/vnd.docker.distribution.manifest.v2+json";

  @TempDir Path work;

  private static HttpResponse<String> get(URI base, String path, String... headers)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The value of the first sample of {@code name} whose labels include all of {@code labels}. */
  private static double sample(String exposition, String name, String... labels) {
    Pattern line =
        Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);
    Matcher matcher = line.matcher(exposition);
    while (matcher.find()) {
      String labelText = matcher.group(1) == null ? "" : matcher.group(1);
      boolean all = true;
      for (String label : labels) {
        all &= labelText.contains(label);
      }
      if (all) {
        return Double.parseDouble(matcher.group(2));
      }
    }
    throw new AssertionError(
        "no sample " + name + " with " + List.of(labels) + " in:\n" + exposition);
  }

  @Test
  void scriptedHitsMissesAnd429_showInMetrics() throws Exception {
    try (Upstream upstream = Upstream.start(work.resolve("upstream"));
        InProcessStevedore proxy =
            InProcessStevedore.on(work.resolve("data"))
                .upstream("docker.io", upstream.uri())
                .start()) {
      TestImage image = new TestImages(5).layerSizes(40_000, 60_000).dockerImage();
      upstream.push("library/metered", "1", image);
      upstream.resetCounters();
      Blob layer = image.platforms().get(0).layers().get(0);
      URI base = proxy.uri();

      for (int round = 0; round < 2; round++) {
        assertThat(get(base, "/v2/metered/manifests/1", "Accept", MANIFEST_ACCEPT).statusCode())
            .isEqualTo(200);
        assertThat(get(base, "/v2/metered/blobs/" + layer.digest()).statusCode()).isEqualTo(200);
      }
      upstream
          .front()
          .failNext(
              ".*/manifests/.*",
              429,
              Map.of(
                  "Retry-After", "60",
                  "ratelimit-limit", "100;w=21600",
                  "ratelimit-remaining", "0;w=21600"));
      assertThat(get(base, "/v2/metered/manifests/2").statusCode()).isEqualTo(429);
      assertThat(get(base, "/healthz").statusCode()).isEqualTo(200);
      assertThat(get(base, "/readyz").statusCode()).isEqualTo(200);

      HttpResponse<String> scrape = get(base, "/metrics");
      String metrics = scrape.body();

      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
      assertThat(
              sample(
                  metrics,
                  "stevedore_requests_seconds_count",
                  "route=\"manifest\"",
                  "outcome=\"miss\"",
                  "status=\"200\""))
          .isEqualTo(1);
      assertThat(
              sample(
                  metrics,
                  "stevedore_requests_seconds_count",
                  "route=\"manifest\"",
                  "outcome=\"hit\"",
                  "status=\"200\""))
          .as("the second round's manifest GET, and nothing else")
          .isEqualTo(1);
      assertThat(
              sample(
                  metrics,
                  "stevedore_requests_seconds_count",
                  "route=\"blob\"",
                  "outcome=\"miss\""))
          .isEqualTo(1);
      assertThat(
              sample(
                  metrics, "stevedore_requests_seconds_count", "route=\"blob\"", "outcome=\"hit\""))
          .as("the second round's blob GET, and nothing else")
          .isEqualTo(1);
      assertThat(
              sample(
                  metrics,
                  "stevedore_requests_seconds_count",
                  "route=\"manifest\"",
                  "status=\"429\""))
          .isEqualTo(1);
      assertThat(sample(metrics, "stevedore_served_bytes_total", "outcome=\"hit\""))
          .as("the second round: the manifest and the layer, from the cache")
          .isEqualTo(image.manifest().size() + layer.size());
      assertThat(sample(metrics, "stevedore_served_bytes_total", "outcome=\"miss\""))
          .as("the first round: the manifest and the layer, fetched")
          .isEqualTo(image.manifest().size() + layer.size());
      assertThat(
              sample(metrics, "stevedore_upstream_fetched_bytes_total", "upstream=\"docker.io\""))
          .isEqualTo(layer.size());
      assertThat(
              sample(
                  metrics,
                  "stevedore_upstream_requests_total",
                  "kind=\"manifest_get\"",
                  "status=\"429\""))
          .isEqualTo(1);
      assertThat(
              sample(
                  metrics,
                  "stevedore_upstream_requests_total",
                  "kind=\"blob_get\"",
                  "status=\"200\""))
          .isEqualTo(1);
      assertThat(
              sample(
                  metrics, "stevedore_upstream_requests_total", "kind=\"token\"", "status=\"200\""))
          .as("one token for the one repository scope, cached for every later request")
          .isEqualTo(1);
      assertThat(upstream.tokens().requestCount()).as(upstream::diagnostics).isEqualTo(1);
      assertThat(sample(metrics, "stevedore_upstream_ratelimit_limit", "upstream=\"docker.io\""))
          .isEqualTo(100);
      assertThat(
              sample(metrics, "stevedore_upstream_ratelimit_remaining", "upstream=\"docker.io\""))
          .isEqualTo(0);
      assertThat(sample(metrics, "stevedore_fetches_inflight")).isZero();
      assertThat(metrics).contains("jvm_memory_used_bytes").contains("process_cpu_usage");
      assertThat(metrics).doesNotContain(layer.digest()).doesNotContain("metered");
    }
  }
}
