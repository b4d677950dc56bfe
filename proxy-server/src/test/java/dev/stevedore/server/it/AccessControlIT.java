package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.testing.FakeTicker;
import dev.stevedore.server.it.support.DataDirInspector;
import dev.stevedore.server.it.support.HtpasswdFile;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.ProcessResult;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.storage.Digest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client access control end to end: skopeo pulls through a Stevedore that requires an htpasswd user
 * and allows only {@code docker.io/library/*} ({@code serve --htpasswd FILE --allow
 * docker.io/library/*}), from the real token-auth registry behind the counting front. Refused
 * requests must never reach the front (nor the token server). The sign-in backoff runs on a ticker
 * the test moves, so its window ends when the test says, not when the clock does.
 */
class AccessControlIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String USER = "bob";
  private static final String PASSWORD = "correct horse battery staple";
  private static final String CHALLENGE = "Basic realm=\"stevedore\"";

  private static Upstream upstream;
  private static TestImage allowed;
  private static TestImage forbidden;

  @TempDir Path work;
  private final FakeTicker ticker = new FakeTicker();
  private InProcessStevedore proxy;
  private URI proxyUri;

  @BeforeAll
  static void startUpstream() throws Exception {
    upstream = Upstream.start(Files.createTempDirectory("stevedore-access-it"));
    TestImages images = new TestImages(77).layerSizes(20_000, 60_000);
    allowed = images.ociIndex();
    forbidden = images.dockerImage();
    upstream.push("library/alpha", "1.0", allowed);
    upstream.push("team/app", "v1", forbidden);
  }

  @AfterAll
  static void stopUpstream() {
    if (upstream != null) {
      upstream.close();
    }
  }

  @BeforeEach
  void startProxy() throws Exception {
    Path htpasswd = HtpasswdFile.write(work.resolve("htpasswd"), USER, PASSWORD);
    proxy =
        InProcessStevedore.on(work.resolve("data"))
            .upstream("docker.io", upstream.uri())
            .tagTtl("5m")
            .flag("--htpasswd", htpasswd.toString())
            .flag("--allow", "docker.io/library/*")
            .ticker(ticker)
            .start();
    proxyUri = proxy.uri();
    upstream.resetCounters();
  }

  @AfterEach
  void stopProxy() {
    if (proxy != null) {
      proxy.close();
    }
    upstream.resetCounters();
  }

  private ProcessResult pull(Skopeo skopeo, String repository, String reference) {
    return skopeo.copyAll(
        Skopeo.dockerRef(proxyUri, repository, reference),
        work.resolve("pull-" + System.nanoTime()));
  }

  private void assertUpstreamUntouched() {
    assertThat(upstream.front().requestLog()).as(() -> upstream.diagnostics()).isEmpty();
    assertThat(upstream.tokens().requestCount()).isZero();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(proxyUri.resolve(path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String userColonPassword) {
    return "Basic "
        + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void rightCredentials_pullSucceeds() throws Exception {
    Path destination = work.resolve("pulled");
    new Skopeo(work)
        .withSourceCredentials(USER + ":" + PASSWORD)
        .copyAll(Skopeo.dockerRef(proxyUri, "alpha", "1.0"), destination)
        .requireSuccess();

    byte[] manifest = Files.readAllBytes(destination.resolve("manifest.json"));
    assertThat(Digest.sha256(manifest).toString()).isEqualTo(allowed.digest());
    assertThat(upstream.front().cdnBytes()).isEqualTo(allowed.blobBytes());
  }

  @Test
  void missingCredentials_areRefused_withZeroUpstreamRequests() {
    ProcessResult result = pull(new Skopeo(work), "library/alpha", "1.0");

    assertThat(result.succeeded()).as(result.output()).isFalse();
    assertThat(result.output().toLowerCase()).contains("unauthorized");
    assertUpstreamUntouched();
  }

  @Test
  void wrongCredentials_areRefused_withZeroUpstreamRequests() {
    ProcessResult wrongPassword =
        pull(new Skopeo(work).withSourceCredentials(USER + ":not-the-password"), "alpha", "1.0");
    ProcessResult unknownUser =
        pull(new Skopeo(work).withSourceCredentials("mallory:" + PASSWORD), "alpha", "1.0");

    assertThat(wrongPassword.succeeded()).as(wrongPassword.output()).isFalse();
    assertThat(wrongPassword.output().toLowerCase()).contains("unauthorized");
    assertThat(unknownUser.succeeded()).as(unknownUser.output()).isFalse();
    assertThat(unknownUser.output().toLowerCase()).contains("unauthorized");
    assertUpstreamUntouched();
  }

  @Test
  void repositoryOutsideAllow_isDenied_withZeroUpstreamRequests() throws Exception {
    ProcessResult result =
        pull(new Skopeo(work).withSourceCredentials(USER + ":" + PASSWORD), "team/app", "v1");
    HttpResponse<String> byHand =
        get(
            "/v2/team/app/manifests/" + forbidden.digest(),
            "Authorization",
            basic(USER + ":" + PASSWORD));

    assertThat(result.succeeded()).as(result.output()).isFalse();
    assertThat(result.output()).containsIgnoringCase("denied");
    assertThat(byHand.statusCode()).isEqualTo(403);
    assertThat(byHand.body()).contains("\"code\":\"DENIED\"");
    assertUpstreamUntouched();
    assertThat(new DataDirInspector(work.resolve("data")).blobFileCount())
        .as("blobs stored for a denied pull")
        .isZero();
    assertThat(work.resolve("data/repositories/docker.io/team")).doesNotExist();
  }

  @Test
  void base_withoutCredentials_isChallengedWithBasic() throws Exception {
    HttpResponse<String> anonymous = get("/v2/");
    HttpResponse<String> signedIn = get("/v2/", "Authorization", basic(USER + ":" + PASSWORD));

    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().allValues("WWW-Authenticate")).containsExactly(CHALLENGE);
    assertThat(anonymous.body()).contains("\"code\":\"UNAUTHORIZED\"");
    assertThat(signedIn.statusCode()).isEqualTo(200);
    assertThat(signedIn.body()).isEqualTo("{}");
    assertUpstreamUntouched();
  }

  @Test
  void manifestHead_withoutCredentials_isChallengedBeforeAnyUpstreamRequest() throws Exception {
    HttpResponse<String> head =
        HTTP.send(
            HttpRequest.newBuilder(proxyUri.resolve("/v2/library/alpha/manifests/1.0"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(head.statusCode()).isEqualTo(401);
    assertThat(head.headers().firstValue("WWW-Authenticate")).contains(CHALLENGE);
    assertUpstreamUntouched();
  }

  /**
   * Five wrong passwords are free; the sixth attempt, even with the right password, waits out the
   * first window (1 s) with a 429 and no bcrypt; once the ticker passes the window, the right
   * password signs in and the failures are forgotten.
   */
  @Test
  void repeatedWrongPasswords_areSlowedWithTooManyRequests_untilTheWindowEnds() throws Exception {
    String right = basic(USER + ":" + PASSWORD);
    for (int i = 0; i < 5; i++) {
      assertThat(get("/v2/", "Authorization", basic(USER + ":guess-" + i)).statusCode())
          .isEqualTo(401);
    }

    assertTooManyRequests(get("/v2/", "Authorization", right));
    ticker.advance(Duration.ofMillis(999));
    assertTooManyRequests(get("/v2/", "Authorization", right));
    ticker.advance(Duration.ofMillis(1));
    HttpResponse<String> afterTheWindow = get("/v2/", "Authorization", right);
    HttpResponse<String> nextGuess = get("/v2/", "Authorization", basic(USER + ":guess-5"));

    assertThat(afterTheWindow.statusCode()).isEqualTo(200);
    assertThat(nextGuess.statusCode()).as("failures forgotten after a sign-in").isEqualTo(401);
    assertUpstreamUntouched();
  }

  private static void assertTooManyRequests(HttpResponse<String> response) {
    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().allValues("Retry-After")).containsExactly("1");
    assertThat(response.body()).contains("\"code\":\"TOOMANYREQUESTS\"");
  }
}
