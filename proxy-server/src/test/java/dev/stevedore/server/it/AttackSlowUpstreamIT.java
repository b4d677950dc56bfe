package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.server.CacheServices;
import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.DataDirInspector;
import dev.stevedore.server.it.support.HostileRegistry;
import dev.stevedore.server.it.support.StevedoreProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Finding 3 of issue 12 (pace): an upstream that trickles a blob never stalls for 60 s, so it held
 * the blob, and everyone waiting for it, for as long as it liked. With the minimum rate shortened
 * to 8 KiB per 2 s for the test, a 1 KiB/s trickle must be abandoned: the reader's connection is
 * cut, nothing is stored, and the next request goes upstream afresh.
 */
class AttackSlowUpstreamIT {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static HostileRegistry evil;
  private static StevedoreProcess stevedore;
  private static DataDirInspector data;
  private static Blob blob;

  @BeforeAll
  static void start() throws Exception {
    Path work = Files.createTempDirectory("stevedore-attack-slow-it");
    byte[] bytes = new byte[1024 * 1024];
    new Random(7).nextBytes(bytes);
    blob = Blob.of("application/octet-stream", bytes);
    evil = HostileRegistry.start();
    evil.on(
        "GET",
        "/v2/slow/blobs/.*",
        HostileRegistry.trickle(
            Map.of("Content-Type", "application/octet-stream"), bytes.length, bytes, 100, 100));
    stevedore =
        StevedoreProcess.serve(
            work.resolve("data"),
            work.resolve("stevedore.log"),
            List.of("-Xmx256m", "-D" + CacheServices.MINIMUM_RATE_PROPERTY + "=8192/2"),
            List.of("--upstream", "evil.io=" + evil.uri()));
    data = new DataDirInspector(work.resolve("data"));
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
  void blobTrickledBelowTheMinimumRate_isAbandonedAndFetchedAfreshNextTime() throws Exception {
    for (int attempt = 1; attempt <= 2; attempt++) {
      var response =
          HTTP.sendAsync(
              HttpRequest.newBuilder(
                      URI.create(
                          stevedore.uri() + "/v2/slow/blobs/" + blob.digest() + "?ns=evil.io"))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());

      assertThatThrownBy(() -> response.get(60, TimeUnit.SECONDS))
          .as("attempt %d: the download is cut, not left trickling", attempt)
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(IOException.class);
    }

    assertThat(evil.count("GET /v2/slow/blobs/.*")).isEqualTo(2);
    assertThat(data.hasBlob(blob.digest())).isFalse();
    assertThat(stevedore.log()).contains("minimum rate");
  }
}
