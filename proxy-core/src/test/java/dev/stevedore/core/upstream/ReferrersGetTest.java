package dev.stevedore.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.testing.FakeTicker;
import dev.stevedore.storage.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The referrers verb against an in-test registry: the index passed on with its filter, 404 and 405
 * meaning "no referrers API", and a hostile upstream's answers refused whole.
 */
class ReferrersGetTest {
  private static final RepositoryName ALPINE = RepositoryName.parse("library/alpine");
  private static final Digest SUBJECT = Digest.sha256("subject".getBytes(StandardCharsets.UTF_8));
  private static final Digest SIGNATURE = Digest.sha256("sig".getBytes(StandardCharsets.UTF_8));
  private static final String PATH = "/v2/library/alpine/referrers/" + SUBJECT;
  private static final String COSIGN = "application/vnd.dev.cosign.artifact.sig.v1+json";
  private static final String INDEX =
      "{\"schemaVersion\":2,\"mediaType\":\""
          + MediaTypes.OCI_INDEX
          + "\",\"manifests\":[{\"mediaType\":\""
          + MediaTypes.OCI_MANIFEST
          + "\",\"digest\":\""
          + SIGNATURE
          + "\",\"size\":42,\"artifactType\":\""
          + COSIGN
          + "\"}]}";

  private FakeRegistry registry;
  private UpstreamClient client;

  @BeforeEach
  void setUp() throws Exception {
    registry = new FakeRegistry(FakeRegistry.Auth.ANONYMOUS, Optional.empty());
    client =
        new UpstreamClient(
            UpstreamConfig.of(registry.name(), registry.url())
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5)),
            new FakeTicker());
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  private static <T> T value(CompletableFuture<T> future) throws Exception {
    return future.get(10, TimeUnit.SECONDS);
  }

  private RegistryException failure(CompletableFuture<?> future) throws Exception {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(RegistryException.class);
      return (RegistryException) e.getCause();
    }
    throw new AssertionError("expected a failure");
  }

  private void answer(int status, Map<String, String> headers, String body) {
    registry.scripted.put(PATH, new FakeRegistry.Scripted(status, headers, body));
  }

  @Test
  void index_isPassedOnWithItsListAndFilter() throws Exception {
    answer(200, Map.of("OCI-Filters-Applied", "artifactType"), INDEX);

    ReferrersResponse response =
        value(client.referrers(ALPINE, SUBJECT, Optional.of(COSIGN))).orElseThrow();

    assertThat(new String(response.index(), StandardCharsets.UTF_8)).isEqualTo(INDEX);
    assertThat(response.manifests()).containsExactly(SIGNATURE);
    assertThat(response.filtersApplied()).contains("artifactType");
    assertThat(registry.seen).anySatisfy(seen -> assertThat(seen.path()).isEqualTo(PATH));
    assertThat(registry.seen)
        .filteredOn(seen -> seen.path().equals(PATH))
        .allSatisfy(seen -> assertThat(seen.accept()).isEqualTo(MediaTypes.OCI_INDEX));
  }

  @Test
  void filterHeader_unasked_isNotPassedOn() throws Exception {
    answer(200, Map.of("OCI-Filters-Applied", "artifactType"), INDEX);

    ReferrersResponse response = value(client.referrers(ALPINE, SUBJECT, Optional.empty())).get();

    assertThat(response.filtersApplied()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {404, 405})
  void notFoundOrNotAllowed_meansNoReferrersApi(int status) throws Exception {
    answer(status, Map.of(), "404 page not found");

    assertThat(value(client.referrers(ALPINE, SUBJECT, Optional.empty()))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "<html>hello</html>",
        "[]",
        "{\"schemaVersion\":2}",
        "{\"schemaVersion\":1,\"manifests\":[]}",
        "{\"schemaVersion\":2,\"mediaType\":\"text/html\",\"manifests\":[]}",
        "{\"schemaVersion\":2,\"manifests\":{}}",
        "{\"schemaVersion\":2,\"manifests\":[\"sha256:00\"]}",
        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"a/b\",\"size\":1,"
            + "\"digest\":\"sha256:../../etc/passwd\"}]}",
        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"a/b\",\"size\":-1,"
            + "\"digest\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"}]}",
        "{\"schemaVersion\":2,\"manifests\":[{\"size\":1,"
            + "\"digest\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"}]}"
      })
  void hostileIndex_isRefused(String body) throws Exception {
    answer(200, Map.of(), body);

    RegistryException error = failure(client.referrers(ALPINE, SUBJECT, Optional.empty()));

    assertThat(error.code()).isEqualTo(ErrorCode.UNAVAILABLE);
  }

  @Test
  void deeplyNestedIndex_isRefused() throws Exception {
    answer(200, Map.of(), "{\"schemaVersion\":2,\"manifests\":[],\"x\":" + "[".repeat(5000));

    assertThat(failure(client.referrers(ALPINE, SUBJECT, Optional.empty())).code())
        .isEqualTo(ErrorCode.UNAVAILABLE);
  }

  @Test
  void oversizedIndex_isRefused() throws Exception {
    answer(
        200,
        Map.of(),
        "{\"schemaVersion\":2,\"manifests\":[],\"pad\":\""
            + "x".repeat(ReferrersIndex.MAX_INDEX_BYTES)
            + "\"}");

    assertThat(failure(client.referrers(ALPINE, SUBJECT, Optional.empty())).code())
        .isEqualTo(ErrorCode.UNAVAILABLE);
  }

  @Test
  void artifactType_isSentEncoded() {
    UpstreamTarget target =
        new RegistryEndpoints.ReferrersGet(ALPINE, SUBJECT, Optional.of(COSIGN)).target();

    assertThat(target.uri(UpstreamConfig.of("test", java.net.URI.create("http://x"))).toString())
        .endsWith(PATH + "?artifactType=application%2Fvnd.dev.cosign.artifact.sig.v1%2Bjson");
  }
}
