package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.HostileRegistry;
import dev.stevedore.server.it.support.StevedoreProcess;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Finding 2 of issue 12: an upstream that sends big chunked manifests slowly, asked for 150
 * different tags at once, used to buffer them all (8 MiB each) until the JVM ran out of memory and
 * wedged. Stevedore runs as a child process with the production JVM flags (deploy/jvm/jvm.options)
 * and the small heap they give in a 256 MiB container; the requests beyond its buffer budget must
 * get OCI errors while it keeps serving.
 */
class AttackMemoryExhaustionIT {

  /** The shipped JVM settings; the ITs run in the proxy-server module directory. */
  private static final Path JVM_OPTIONS = Path.of("..", "deploy", "jvm", "jvm.options");

  private static final int REQUESTS = 150;
  private static final int MANIFEST_BYTES = 4 * 1024 * 1024;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Upstream hub;
  private static HostileRegistry evil;
  private static StevedoreProcess stevedore;
  private static TestImage image;

  @BeforeAll
  static void start() throws Exception {
    Path work = Files.createTempDirectory("stevedore-attack-memory-it");
    hub = Upstream.start(work.resolve("hub"));
    image = new TestImages(12).layerSizes(1_000, 2_000).dockerImage();
    hub.push("library/alpine", "1", image);
    evil = HostileRegistry.start();
    byte[] big = new byte[MANIFEST_BYTES];
    Arrays.fill(big, (byte) ' ');
    big[0] = '{';
    big[big.length - 1] = '}';
    HostileRegistry.Behaviour slowChunked =
        HostileRegistry.chunked(
            "Content-Type: application/vnd.oci.image.manifest.v1+json\r\n", big, 64 * 1024, 20);
    evil.on(
        null,
        "/v2/big/manifests/.*",
        (request, out) -> {
          if (request.method().equals("HEAD")) {
            headOnly(out);
          } else {
            slowChunked.answer(request, out);
          }
        });
    stevedore =
        StevedoreProcess.serve(
            work.resolve("data"),
            work.resolve("stevedore.log"),
            // The shipped settings with the heap they give under a 256 MiB container limit.
            List.of("@" + JVM_OPTIONS.toAbsolutePath(), "-Xmx128m"),
            List.of("--upstream", "docker.io=" + hub.uri(), "--upstream", "evil.io=" + evil.uri()));
  }

  private static void headOnly(OutputStream out) throws java.io.IOException {
    out.write(
        ("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\n"
                + "Content-Length: "
                + MANIFEST_BYTES
                + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  @AfterAll
  static void stop() {
    if (stevedore != null) {
      stevedore.close();
    }
    if (evil != null) {
      evil.close();
    }
    if (hub != null) {
      hub.close();
    }
  }

  @Test
  void manyBigSlowManifestsAtOnce_areRefusedBeyondTheBudgetWhileStevedoreKeepsServing()
      throws Exception {
    List<CompletableFuture<HttpResponse<String>>> storm = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      storm.add(
          HTTP.sendAsync(
              get("/v2/big/manifests/tag-" + i + "?ns=evil.io").build(),
              HttpResponse.BodyHandlers.ofString()));
    }

    HttpResponse<String> health =
        HTTP.send(get("/healthz").build(), HttpResponse.BodyHandlers.ofString());
    CompletableFuture.allOf(storm.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    HttpResponse<String> pull =
        HTTP.send(
            get("/v2/library/alpine/manifests/1")
                .header("Accept", image.manifest().mediaType())
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(stevedore.isAlive()).as("stevedore is alive").isTrue();
    assertThat(stevedore.log()).doesNotContain("OutOfMemoryError");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(pull.statusCode()).as(pull.body()).isEqualTo(200);
    long refused = 0;
    for (CompletableFuture<HttpResponse<String>> request : storm) {
      HttpResponse<String> response = request.join();
      assertThat(response.statusCode()).as(response.body()).isIn(429, 503);
      assertThat(response.body()).contains("\"errors\"");
      if (response.statusCode() == 429) {
        refused++;
      }
    }
    assertThat(refused).as("requests refused for want of buffer room").isPositive();
    assertThat(
            HTTP.send(get("/healthz").build(), HttpResponse.BodyHandlers.discarding()).statusCode())
        .isEqualTo(200);
  }

  private static HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(URI.create(stevedore.uri() + path))
        .timeout(Duration.ofSeconds(90));
  }
}
