package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.HostileRegistry;
import dev.stevedore.server.it.support.InProcessStevedore;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, the upstream's own authentication as an attack: the {@code /v2/} ping whose body never
 * ends (it held every request for that upstream), and a token realm that points at the cloud
 * metadata service (blind SSRF, with the upstream's credentials offered to it).
 */
class AttackHostileAuthIT {
  /** Long enough for any honest answer here, far shorter than a hung ping. */
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(15);

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HostileRegistry endlessPing;
  private static HostileRegistry metadataRealm;
  private static InProcessStevedore stevedore;

  @BeforeAll
  static void start() throws Exception {
    Path work = Files.createTempDirectory("stevedore-attack-auth-it");
    endlessPing = HostileRegistry.start();
    endlessPing.on(
        "GET", "/v2/?", HostileRegistry.chunkedForever("Content-Type: application/json\r\n"));
    metadataRealm = HostileRegistry.start();
    metadataRealm.on(
        null,
        "/v2/.*",
        HostileRegistry.respond(
            401,
            "application/json",
            "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}".getBytes(StandardCharsets.UTF_8),
            Map.of(
                "WWW-Authenticate",
                "Bearer realm=\"http://169.254.169.254/latest/meta-data/\",service=\"evil\"")));
    stevedore =
        InProcessStevedore.on(work.resolve("data"))
            .upstream("ping.evil.io", endlessPing.uri())
            .upstream("realm.evil.io", metadataRealm.uri())
            .start();
  }

  @AfterAll
  static void stop() {
    if (stevedore != null) {
      stevedore.close();
    }
    if (endlessPing != null) {
      endlessPing.close();
    }
    if (metadataRealm != null) {
      metadataRealm.close();
    }
  }

  @Test
  void pingWithAnEndlessBody_doesNotHoldTheUpstream() throws Exception {
    HttpResponse<String> response = manifest("ping.evil.io");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
    assertThat(endlessPing.count("GET /v2/app/manifests/1")).isEqualTo(1);
  }

  @Test
  void tokenRealmAtTheMetadataService_isRefusedWithoutAsking() throws Exception {
    HttpResponse<String> response = manifest("realm.evil.io");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).contains("refused").contains("169.254.169.254");
  }

  private static HttpResponse<String> manifest(String namespace) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(stevedore.uri().resolve("/v2/app/manifests/1?ns=" + namespace))
            .timeout(CLIENT_TIMEOUT)
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
