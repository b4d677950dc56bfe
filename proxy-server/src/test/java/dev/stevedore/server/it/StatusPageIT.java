package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.config.ByteSize;
import dev.stevedore.server.it.support.AccessLogCapture;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.ProcessResult;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.server.setup.NodeKind;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls an image twice through Stevedore with skopeo, lets the upstream state a pull budget, then
 * loads the status page in headless Chromium (Debian's {@code chromium}) and reads the live
 * numbers, the nodes that pulled and the setup one-liners from the DOM the browser built; then runs
 * the containerd one-liner as shown, into a root of its own. Leaves a screenshot at {@code
 * target/status-page.png}.
 */
class StatusPageIT {
  /** Override with {@code -Dstevedore.it.chromium=/path/to/chromium}. */
  private static final Path CHROMIUM =
      Path.of(System.getProperty("stevedore.it.chromium", "/usr/bin/chromium"));

  private static final Path SCREENSHOT = Path.of("target", "status-page.png");
  private static final long BROWSER_TIMEOUT_SECONDS = 20;

  @TempDir Path work;

  @Test
  void statusPage_inHeadlessChromium_showsLiveNumbers() throws Exception {
    requireChromium();
    try (AccessLogCapture accessLog = new AccessLogCapture();
        Upstream upstream = Upstream.start(work.resolve("upstream"));
        InProcessStevedore proxy =
            InProcessStevedore.on(work.resolve("data"))
                .upstream("docker.io", upstream.uri())
                .tagTtl("5m")
                .start()) {
      TestImage image = new TestImages(6).layerSizes(200_000, 400_000).dockerImage();
      upstream.push("library/alpha", "1.0", image);
      URI base = proxy.uri();

      pull(base, "alpha", "1.0");
      pull(base, "alpha", "1.0");
      upstream
          .front()
          .failNext(
              ".*/manifests/.*",
              429,
              Map.of(
                  "Retry-After", "60",
                  "ratelimit-limit", "100;w=21600",
                  "ratelimit-remaining", "76;w=21600"));
      assertThat(status(base.resolve("/v2/alpha/manifests/not-cached"))).isEqualTo(429);

      String dom = chromium("--dump-dom", base.resolve("/").toString());
      screenshot(base.resolve("/").toString());

      assertThat(dom).contains("<title>Stevedore status</title>");
      assertThat(dom)
          .as("the most pulled images table lists the image pulled twice")
          .containsPattern(
              "<td class=\"image\">docker\\.io/library/alpha</td><td class=\"num\">2</td>");
      // The first pull missed on the manifest and every blob, the second hit on each of them;
      // the 429 is an error, which has no cache outcome.
      int requestsPerPull = 1 + image.blobs().size();
      assertThat(metric(dom, "hit-ratio"))
          .as(() -> "hit ratio; access log:\n" + String.join("\n", accessLog.lines()))
          .isEqualTo("50.0 %");
      assertThat(dom)
          .contains(
              requestsPerPull
                  + " of "
                  + 2 * requestsPerPull
                  + " manifest and blob requests were hits");
      assertThat(metric(dom, "bytes-saved"))
          .as("bytes saved: the second pull's manifest and blobs")
          .isEqualTo(ByteSize.format(image.manifest().size() + image.blobBytes()));
      assertThat(metric(dom, "inflight")).isEqualTo("0");
      assertThat(dom)
          .as("docker.io's pull budget")
          .containsPattern("data-upstream-remaining=\"docker\\.io\"><meter[^>]*></meter>76<");
      assertThat(dom).contains("<svg class=\"chart\"").contains("<rect class=\"bar hit\"");
      assertThat(Files.size(SCREENSHOT)).isPositive();

      assertThat(dom)
          .as("the nodes table lists the address skopeo pulled from")
          .contains("data-node=\"127.0.0.1\">127.0.0.1<")
          .contains("data-metric=\"nodes-last-hour\">1 node pulled in the last hour.");
      String authority = "127.0.0.1:" + base.getPort();
      for (NodeKind kind : NodeKind.values()) {
        assertThat(setupLine(dom, kind))
            .isEqualTo("curl -fsSL http://" + authority + "/setup/" + kind.path() + " | sudo sh");
      }
      runContainerdOneLiner(setupLine(dom, NodeKind.CONTAINERD), authority);
    }
  }

  /**
   * The real check that the one-liner works: the containerd line as the browser shows it, run
   * without sudo into a root of the test's own.
   */
  private void runContainerdOneLiner(String line, String authority) throws IOException {
    assertThat(line).endsWith(" | sudo sh");
    Path root = Files.createDirectories(work.resolve("node-root"));
    String command =
        line.substring(0, line.length() - " | sudo sh".length()) + " | sh -s -- --root " + root;
    ProcessResult result =
        ProcessResult.runWithTransientLog(
            List.of("sh", "-c", command), work, Duration.ofSeconds(60), env -> {});
    result.requireSuccess();
    Path hosts = root.resolve("etc/containerd/certs.d/docker.io/hosts.toml");
    assertThat(hosts).as("output:%n%s", result.output()).exists();
    assertThat(Files.readString(hosts, StandardCharsets.UTF_8)).contains("http://" + authority);
  }

  /** The text of the one-liner marked {@code data-setup="KIND"}, unescaped. */
  private static String setupLine(String dom, NodeKind kind) {
    Matcher matcher =
        Pattern.compile("data-setup=\"" + Pattern.quote(kind.path()) + "\">([^<]*)<").matcher(dom);
    assertThat(matcher.find()).as("an element with data-setup=%s in:%n%s", kind, dom).isTrue();
    return matcher
        .group(1)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
  }

  private void pull(URI proxy, String repository, String tag) {
    new Skopeo(work)
        .copyAll(
            Skopeo.dockerRef(proxy, repository, tag), work.resolve("pull-" + System.nanoTime()))
        .requireSuccess();
  }

  private static int status(URI uri) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** The text of the element marked {@code data-metric="NAME"}. */
  private static String metric(String dom, String name) {
    Matcher matcher =
        Pattern.compile("data-metric=\"" + Pattern.quote(name) + "\">([^<]*)<").matcher(dom);
    assertThat(matcher.find()).as("an element with data-metric=%s in:%n%s", name, dom).isTrue();
    return matcher.group(1);
  }

  private static void requireChromium() {
    if (!Files.isExecutable(CHROMIUM)) {
      throw new AssertionError(
          "StatusPageIT needs Chromium at "
              + CHROMIUM
              + " to render the status page: apt-get install chromium"
              + " (or set -Dstevedore.it.chromium=/path/to/chromium)");
    }
  }

  private void screenshot(String url) throws IOException, InterruptedException {
    Files.createDirectories(SCREENSHOT.toAbsolutePath().getParent());
    Files.deleteIfExists(SCREENSHOT);
    chromium("--screenshot=" + SCREENSHOT.toAbsolutePath(), "--window-size=1200,900", url);
  }

  /**
   * Runs headless Chromium with a fresh profile and home under the work directory, nothing of the
   * machine's configuration and no background traffic; returns its standard output.
   */
  private String chromium(String... arguments) throws IOException, InterruptedException {
    Path home = Files.createTempDirectory(work, "chromium-");
    List<String> command =
        new ArrayList<>(
            List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-proxy-server",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + home.resolve("profile")));
    command.addAll(List.of(arguments));
    Path stdout = home.resolve("stdout");
    Path stderr = home.resolve("stderr");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(home.toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile());
    builder.environment().put("HOME", home.toString());
    builder.environment().put("XDG_CONFIG_HOME", home.resolve("config").toString());
    builder.environment().put("XDG_CACHE_HOME", home.resolve("cache").toString());
    Process process = builder.start();
    process.getOutputStream().close();
    if (!process.waitFor(BROWSER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError(
          "chromium did not finish in " + BROWSER_TIMEOUT_SECONDS + " s: " + tail(stderr));
    }
    if (process.exitValue() != 0) {
      throw new AssertionError(
          "`"
              + String.join(" ", command)
              + "` exited "
              + process.exitValue()
              + ": "
              + tail(stderr));
    }
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  private static String tail(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return text.length() > 4000 ? "…" + text.substring(text.length() - 4000) : text;
  }
}
