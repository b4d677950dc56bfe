package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.HostileRegistry;
import dev.stevedore.server.it.support.InProcessStevedore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Finding 3 (redirects) and part of finding 10 of issue 12: a redirect's endless body held the
 * download with no byte sent, a redirect back to Stevedore deadlocked, and redirects were followed
 * to any address, link-local (the cloud metadata service) included. The hostile upstream evil.io
 * (on loopback) answers blob requests with those redirects.
 */
class AttackRedirectIT {

  /** Long enough for any honest answer here, far shorter than the 60 s stall rule. */
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static HostileRegistry evil;
  private static InProcessStevedore stevedore;

  @BeforeAll
  static void start() throws Exception {
    Path work = Files.createTempDirectory("stevedore-attack-redirect-it");
    evil = HostileRegistry.start();
    stevedore = InProcessStevedore.on(work.resolve("data")).upstream("evil.io", evil.uri()).start();
  }

  @AfterAll
  static void stop() {
    if (stevedore != null) {
      stevedore.close();
    }
    if (evil != null) {
      evil.close();
    }
  }

  @Test
  void redirectWithAnEndlessBody_isFollowedWithoutReadingIt() throws Exception {
    Blob blob = randomBlob(1);
    evil.on(
        "GET",
        "/cdn/endless",
        HostileRegistry.respond(200, "application/octet-stream", blob.bytes(), Map.of()));
    evil.on(
        "GET",
        "/v2/endless/blobs/.*",
        HostileRegistry.redirect(307, evil.uri() + "/cdn/endless", true));

    HttpResponse<byte[]> first = getBlob("endless", blob.digest());
    HttpResponse<byte[]> second = getBlob("endless", blob.digest());

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).isEqualTo(blob.bytes());
    assertThat(second.statusCode()).as("a second request is not held").isEqualTo(200);
    assertThat(second.body()).isEqualTo(blob.bytes());
  }

  @Test
  void redirectToStevedoresOwnAddress_isRefused() throws Exception {
    Blob blob = randomBlob(2);
    String self = stevedore.uri() + "/v2/loop/blobs/" + blob.digest() + "?ns=evil.io";
    evil.on("GET", "/v2/loop/blobs/.*", HostileRegistry.redirect(307, self, false));

    HttpResponse<byte[]> response = getBlob("loop", blob.digest());

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(new String(response.body())).contains("\"errors\"").contains("refused");
    assertThat(evil.count("GET /v2/loop/blobs/.*")).isEqualTo(1);
  }

  @Test
  void redirectToTheCloudMetadataService_isRefusedWithoutConnecting() throws Exception {
    Blob blob = randomBlob(3);
    evil.on(
        "GET",
        "/v2/metadata/blobs/.*",
        HostileRegistry.redirect(307, "http://169.254.169.254/latest/meta-data/", false));

    HttpResponse<byte[]> response = getBlob("metadata", blob.digest());

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(new String(response.body()))
        .contains("\"errors\"")
        .contains("169.254.169.254")
        .contains("refused");
  }

  private static HttpResponse<byte[]> getBlob(String repository, String digest) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(
                URI.create(
                    stevedore.uri() + "/v2/" + repository + "/blobs/" + digest + "?ns=evil.io"))
            .timeout(CLIENT_TIMEOUT)
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static Blob randomBlob(long seed) {
    byte[] bytes = new byte[50_000];
    new Random(seed).nextBytes(bytes);
    return Blob.of("application/octet-stream", bytes);
  }
}
