package dev.stevedore.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.testing.FakeTicker;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class UpstreamClientTest {

  private static final RepositoryName ALPINE = RepositoryName.parse("library/alpine");
  private static final String MANIFEST =
      "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[]}";
  private static final Credentials ALICE = new Credentials("alice", "hunter2");

  private final FakeTicker ticker = new FakeTicker();
  private FakeRegistry registry;

  @AfterEach
  void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  private UpstreamClient client(FakeRegistry.Auth auth, Optional<Credentials> credentials)
      throws IOException {
    return client(auth, credentials, credentials);
  }

  /** A fake registry expecting {@code required} and a client configured with {@code given}. */
  private UpstreamClient client(
      FakeRegistry.Auth auth, Optional<Credentials> required, Optional<Credentials> given)
      throws IOException {
    registry = new FakeRegistry(auth, required);
    UpstreamConfig config =
        UpstreamConfig.of(registry.name(), registry.url())
            .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2));
    return new UpstreamClient(given.map(config::withCredentials).orElse(config), ticker);
  }

  private static <T> T value(CompletableFuture<T> future) throws Exception {
    return future.get(10, TimeUnit.SECONDS);
  }

  /** The failure, checked to be a RegistryException as the future's direct cause. */
  private static RegistryException failure(CompletableFuture<?> future) throws Exception {
    Throwable failure = future.handle((value, error) -> error).get(10, TimeUnit.SECONDS);
    assertThat(failure).isInstanceOf(RegistryException.class);
    return (RegistryException) failure;
  }

  private static Reference tag(String tag) {
    return Reference.parse(tag);
  }

  @Test
  void getManifest_anonymousTokenFlow_returnsBytesTypeAndDigest() throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.BEARER, Optional.empty());
    Digest digest = registry.putManifest("library/alpine", "3.19", MANIFEST, MediaTypes.OCI_INDEX);

    ManifestResponse response = value(client.getManifest(ALPINE, tag("3.19"), List.of()));

    assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(MANIFEST);
    assertThat(response.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(response.digest()).isEqualTo(digest);
    assertThat(response.headers().firstValue("ratelimit-remaining")).contains("99;w=21600");
    assertThat(registry.tokenRequests).hasValue(1);
    assertThat(registry.seenBy("registry"))
        .filteredOn(seen -> seen.path().equals("/token"))
        .allSatisfy(seen -> assertThat(seen.authorization()).isNull());
    assertThat(registry.seenBy("registry"))
        .filteredOn(seen -> seen.path().contains("/manifests/"))
        .last()
        .satisfies(seen -> assertThat(seen.authorization()).startsWith("Bearer tok-"));
    assertThat(client.name()).isEqualTo(registry.name());
  }

  @Test
  void getManifest_acceptHeader_joinedOrDefault() throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.ANONYMOUS, Optional.empty());
    registry.putManifest("library/alpine", "3.19", MANIFEST, MediaTypes.OCI_INDEX);

    value(client.getManifest(ALPINE, tag("3.19"), List.of("a/b", "c/d")));
    value(client.headManifest(ALPINE, tag("3.19"), List.of()));

    assertThat(registry.seenBy("registry"))
        .filteredOn(seen -> seen.path().contains("/manifests/"))
        .extracting(FakeRegistry.Seen::accept)
        .containsExactly("a/b, c/d", String.join(", ", MediaTypes.ALL_MANIFESTS));
  }

  @Test
  void getManifest_accessTokenField_isAccepted() throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.BEARER, Optional.empty());
    registry.useAccessTokenField = true;
    registry.putManifest("library/alpine", "3.19", MANIFEST, MediaTypes.OCI_INDEX);

    assertThat(value(client.getManifest(ALPINE, tag("3.19"), List.of())).mediaType())
        .isEqualTo(MediaTypes.OCI_INDEX);
  }

  /** Pulls alpine:3.19 and one of its layers through {@code client}, checking the layer's bytes. */
  private void pullManifestAndBlob(UpstreamClient client) throws Exception {
    registry.putManifest("library/alpine", "3.19", MANIFEST, MediaTypes.OCI_INDEX);
    byte[] layer = "layer".getBytes(StandardCharsets.UTF_8);
    Digest blob = registry.putBlob(layer);

    value(client.getManifest(ALPINE, tag("3.19"), List.of()));
    try (BlobDownload download = value(client.getBlob(ALPINE, blob))) {
      assertThat(download.body().readAllBytes()).isEqualTo(layer);
    }
  }

  @Test
  void credentials_sentAsBasicToRealmOnly_neverToRegistryOrCdn() throws Exception {
    pullManifestAndBlob(client(FakeRegistry.Auth.BEARER, Optional.of(ALICE)));

    assertThat(registry.seenBy("registry"))
        .filteredOn(seen -> seen.path().equals("/token"))
        .singleElement()
        .satisfies(seen -> assertThat(seen.authorization()).isEqualTo(ALICE.basicAuthorization()));
    assertThat(registry.seenBy("registry"))
        .filteredOn(seen -> !seen.path().equals("/token"))
        .allSatisfy(
            seen ->
                assertThat(seen.authorization())
                    .satisfiesAnyOf(
                        value -> assertThat(value).isNull(),
                        value -> assertThat(value).startsWith("Bearer tok-")));
    assertThat(registry.seenBy("cdn")).hasSize(1);
    assertThat(registry.cdnViolations).isEmpty();
  }

  @Test
  void getManifest_manyConcurrentRequests_oneTokenRequestAndOnePing() throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.BEARER, Optional.empty());
    registry.putManifest("library/alpine", "3.19", MANIFEST, MediaTypes.OCI_INDEX);

    List<CompletableFuture<ManifestResponse>> responses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      responses.add(client.getManifest(ALPINE, tag("3.19"), List.of()));
    }
    for (CompletableFuture<ManifestResponse> response : responses) {
      value(response);
    }
    value(client.getManifest(ALPINE, tag("3.19"), List.of()));

    assertThat(registry.tokenRequests).hasValue(1);
    assertThat(registry.pings).hasValue(1);
    assertThat(registry.count("registry", "GET", "/manifests/")).isEqualTo(21);
  }

  /**
   * Pulls alpine:3.19 once through a bearer-token upstream (so a token is cached), lets {@code
   * change} happen upstream, and pulls it again.
   */
  private CompletableFuture<ManifestResponse> pullAgainAfter(Runnable change) throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.BEARER, Optional.empty());
    registry.putManifest("library/alpine", "3.19", MANIFEST, MediaTypes.OCI_INDEX);
    value(client.getManifest(ALPINE, tag("3.19"), List.of()));
    change.run();
    return client.getManifest(ALPINE, tag("3.19"), List.of());
  }

  @Test
  void getManifest_cachedTokenRejected_refreshesOnceAndRetries() throws Exception {
    ManifestResponse response =
        value(pullAgainAfter(() -> registry.validTokens.clear())); // every token revoked

    assertThat(response.body()).isEqualTo(MANIFEST.getBytes(StandardCharsets.UTF_8));
    assertThat(registry.tokenRequests).hasValue(2);
    assertThat(registry.count("registry", "GET", "/manifests/")).isEqualTo(3);
  }

  @Test
  void getManifest_cachedTokenStillRejected_deniedAfterOneRetry() throws Exception {
    RegistryException error =
        failure(pullAgainAfter(() -> registry.deniedRepositories.add("library/alpine")));

    assertThat(error.code()).isEqualTo(ErrorCode.DENIED);
    assertThat(error.detail()).contains(registry.name()).contains("library/alpine");
    assertThat(registry.tokenRequests).hasValue(2);
    assertThat(registry.count("registry", "GET", "/manifests/")).isEqualTo(3);
  }

  @Test
  void getManifest_freshTokenRejected_deniedWithoutRefetch() throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.BEARER, Optional.empty());
    registry.deniedRepositories.add("library/private");

    RegistryException error =
        failure(client.getManifest(RepositoryName.parse("library/private"), tag("1"), List.of()));

    assertThat(error.code()).isEqualTo(ErrorCode.DENIED);
    assertThat(registry.tokenRequests).hasValue(1);
    assertThat(registry.count("registry", "GET", "/manifests/")).isEqualTo(1);
  }

  @Test
  void getManifest_tokenExpired_fetchesNewTokenWithoutSleeping() throws Exception {
    // 300 s token, refreshed 30 s early
    value(pullAgainAfter(() -> ticker.advance(Duration.ofSeconds(271))));

    assertThat(registry.tokenRequests).hasValue(2);
  }

  @Test
  void getBlob_redirectedToCdn_followsWithoutAuthorization() throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.BEARER, Optional.empty());
    byte[] content = new byte[300_000];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) i;
    }
    Digest digest = registry.putBlob(content);

    try (BlobDownload download = value(client.getBlob(ALPINE, digest))) {
      assertThat(download.contentLength()).isEqualTo(content.length);
      try (InputStream body = download.body()) {
        assertThat(body.readAllBytes()).isEqualTo(content);
      }
    }

    assertThat(registry.cdnViolations).isEmpty();
    assertThat(registry.seenBy("cdn"))
        .singleElement()
        .satisfies(
            seen -> {
              assertThat(seen.authorization()).isNull();
              assertThat(seen.userAgent()).isEqualTo("stevedore/0.1");
            });
    assertThat(registry.seenBy("registry"))
        .filteredOn(seen -> seen.path().contains("/blobs/"))
        .singleElement()
        .satisfies(seen -> assertThat(seen.authorization()).startsWith("Bearer "));
  }

  @Test
  void headBlob_redirected_followsWithoutAuthorization() throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.BEARER, Optional.empty());
    Digest digest = registry.putBlob(new byte[1234]);

    assertThat(value(client.headBlob(ALPINE, digest)).contentLength()).isEqualTo(1234);
    assertThat(registry.cdnViolations).isEmpty();
    assertThat(registry.count("cdn", "HEAD", "/cdn/")).isEqualTo(1);
  }

  @Test
  void getBlob_notRedirected_streamsFromRegistry() throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.ANONYMOUS, Optional.empty());
    registry.redirectBlobs = false;
    Digest digest = registry.putBlob("direct".getBytes(StandardCharsets.UTF_8));

    try (BlobDownload download = value(client.getBlob(ALPINE, digest))) {
      assertThat(download.body().readAllBytes())
          .isEqualTo("direct".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(registry.seenBy("cdn")).isEmpty();
  }

  @ParameterizedTest(name = "{0} upstream, by {1}")
  @CsvSource({"BEARER, digest", "ANONYMOUS, tag"})
  void getManifest_bytesNotMatchingTheirDigest_manifestInvalid(FakeRegistry.Auth auth, String by)
      throws Exception {
    UpstreamClient client = client(auth, Optional.empty());
    Digest lie = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));
    Reference reference = by.equals("digest") ? Reference.of(lie) : tag("3.19");
    registry.manifests.put(
        "library/alpine:" + reference.value(),
        new FakeRegistry.Manifest(
            MANIFEST.getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_INDEX, lie.toString()));

    RegistryException error = failure(client.getManifest(ALPINE, reference, List.of()));

    assertThat(error.code()).isEqualTo(ErrorCode.MANIFEST_INVALID);
    assertThat(error.detail()).contains(lie.toString());
  }

  @Test
  void getManifest_byDigest_verifiedAndReturned() throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.BEARER, Optional.empty());
    Digest digest = registry.putManifest("library/alpine", "3.19", MANIFEST, MediaTypes.OCI_INDEX);

    ManifestResponse response = value(client.getManifest(ALPINE, Reference.of(digest), List.of()));

    assertThat(response.digest()).isEqualTo(digest);
  }

  @Test
  void headManifest_returnsDigestTypeAndLength() throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.BEARER, Optional.empty());
    Digest digest = registry.putManifest("library/alpine", "3.19", MANIFEST, MediaTypes.OCI_INDEX);

    ManifestHead head = value(client.headManifest(ALPINE, tag("3.19"), List.of()));

    assertThat(head.digest()).contains(digest);
    assertThat(head.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(head.contentLength()).isEqualTo(MANIFEST.length());
    assertThat(registry.count("registry", "GET", "/manifests/")).isZero();
    assertThat(registry.count("registry", "HEAD", "/manifests/")).isEqualTo(1);
  }

  @Test
  void notFound_mapsPerKindOfRequest() throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.BEARER, Optional.empty());
    Digest missing = Digest.sha256("missing".getBytes(StandardCharsets.UTF_8));
    registry.scripted.put(
        "/v2/library/alpine/tags/list",
        new FakeRegistry.Scripted(404, Map.of(), FakeRegistry.ociError("NAME_UNKNOWN", "no")));

    assertThat(failure(client.getManifest(ALPINE, tag("nope"), List.of())).code())
        .isEqualTo(ErrorCode.MANIFEST_UNKNOWN);
    assertThat(failure(client.headManifest(ALPINE, tag("nope"), List.of())).code())
        .isEqualTo(ErrorCode.MANIFEST_UNKNOWN);
    assertThat(failure(client.getBlob(ALPINE, missing)).code()).isEqualTo(ErrorCode.BLOB_UNKNOWN);
    assertThat(failure(client.headBlob(ALPINE, missing)).code()).isEqualTo(ErrorCode.BLOB_UNKNOWN);
    assertThat(failure(client.listTags(ALPINE, null)).code()).isEqualTo(ErrorCode.NAME_UNKNOWN);
  }

  static Stream<Arguments> upstreamAnswers() {
    return Stream.of(
        arguments(
            "429 passes Retry-After",
            answering(
                429,
                Map.of("Retry-After", "120"),
                FakeRegistry.ociError("TOOMANYREQUESTS", "slow")),
            ErrorCode.TOOMANYREQUESTS,
            "rate limiting",
            Map.of("Retry-After", "120")),
        arguments(
            "5xx is unavailable",
            answering(500, Map.of(), "oops"),
            ErrorCode.UNAVAILABLE,
            "500",
            Map.of()),
        arguments(
            "4xx keeps a known OCI code",
            answering(400, Map.of(), FakeRegistry.ociError("MANIFEST_INVALID", "bad schema")),
            ErrorCode.MANIFEST_INVALID,
            "bad schema",
            Map.of()),
        arguments(
            "4xx with an unknown OCI code",
            answering(400, Map.of(), FakeRegistry.ociError("WEIRD_CODE", "huh")),
            ErrorCode.UNAVAILABLE,
            "400",
            Map.of()),
        arguments(
            "4xx without an OCI body",
            answering(418, Map.of(), "teapot"),
            ErrorCode.UNAVAILABLE,
            "418",
            Map.of()),
        arguments(
            "no headers in time",
            answering(0, Map.of(), ""),
            ErrorCode.UNAVAILABLE,
            "timed out",
            Map.of()),
        arguments(
            "body stalls",
            answering(-1, Map.of(), ""),
            ErrorCode.UNAVAILABLE,
            "timed out",
            Map.of()),
        arguments(
            "manifest over 8 MiB",
            (Consumer<FakeRegistry>)
                registry ->
                    registry.putManifest(
                        "library/alpine",
                        "3.19",
                        "{\"pad\":\"" + "x".repeat(9 * 1024 * 1024) + "\"}",
                        MediaTypes.OCI_MANIFEST),
            ErrorCode.MANIFEST_INVALID,
            "8 MiB",
            Map.of()));
  }

  /** An upstream that answers the request for alpine:3.19 as scripted. */
  private static Consumer<FakeRegistry> answering(
      int status, Map<String, String> headers, String body) {
    return registry ->
        registry.scripted.put(
            "/v2/library/alpine/manifests/3.19", new FakeRegistry.Scripted(status, headers, body));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("upstreamAnswers")
  void getManifest_upstreamError_mappedNamingUpstream(
      String name,
      Consumer<FakeRegistry> upstream,
      ErrorCode code,
      String detail,
      Map<String, String> headers)
      throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.ANONYMOUS, Optional.empty());
    upstream.accept(registry);

    RegistryException error = failure(client.getManifest(ALPINE, tag("3.19"), List.of()));

    assertThat(error.code()).isEqualTo(code);
    assertThat(error.detail()).contains(registry.name()).contains(detail);
    assertThat(error.headers()).containsAllEntriesOf(headers);
  }

  @Test
  void connectionRefused_unavailable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    UpstreamClient client =
        new UpstreamClient(
            UpstreamConfig.of("refused.test", URI.create("http://127.0.0.1:" + port))
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)),
            ticker);

    RegistryException error = failure(client.getManifest(ALPINE, tag("3.19"), List.of()));

    assertThat(error.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(error.detail()).contains("refused.test");
  }

  @Test
  void failedPing_isRetriedOnNextCall() throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.BEARER, Optional.empty());
    registry.putManifest("library/alpine", "3.19", MANIFEST, MediaTypes.OCI_INDEX);
    registry.failPings = 1;

    assertThat(failure(client.getManifest(ALPINE, tag("3.19"), List.of())).code())
        .isEqualTo(ErrorCode.UNAVAILABLE);
    value(client.getManifest(ALPINE, tag("3.19"), List.of()));
    value(client.getManifest(ALPINE, tag("3.19"), List.of()));

    assertThat(registry.pings).hasValue(2);
  }

  @Test
  void tokenEndpointRejectsCredentials_denied() throws Exception {
    UpstreamClient client =
        client(
            FakeRegistry.Auth.BEARER,
            Optional.of(ALICE),
            Optional.of(new Credentials("alice", "wrong-password")));

    RegistryException error = failure(client.getManifest(ALPINE, tag("3.19"), List.of()));

    assertThat(error.code()).isEqualTo(ErrorCode.DENIED);
    assertThat(error.detail()).contains(registry.name()).contains("library/alpine");
    assertThat(error.detail()).doesNotContain("wrong-password");
    assertThat(registry.count("registry", "GET", "/manifests/")).isZero();
  }

  @Test
  void basicAuthUpstream_sendsCredentialsOnEveryRequest() throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.BASIC, Optional.of(ALICE));
    pullManifestAndBlob(client);
    value(client.headManifest(ALPINE, tag("3.19"), List.of()));

    assertThat(registry.tokenRequests).hasValue(0);
    assertThat(registry.seenBy("registry"))
        .filteredOn(seen -> !seen.path().equals("/v2/"))
        .hasSize(3)
        .allSatisfy(seen -> assertThat(seen.authorization()).isEqualTo(ALICE.basicAuthorization()));
    assertThat(registry.cdnViolations).isEmpty();
  }

  @Test
  void basicAuthUpstreamWithoutCredentials_denied() throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.BASIC, Optional.empty());
    registry.putManifest("library/alpine", "3.19", MANIFEST, MediaTypes.OCI_INDEX);

    assertThat(failure(client.getManifest(ALPINE, tag("3.19"), List.of())).code())
        .isEqualTo(ErrorCode.DENIED);
  }

  @Test
  void listTags_forwardsPaginationOnlyAndLink() throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.BEARER, Optional.empty());

    TagListResponse tags = value(client.listTags(ALPINE, "n=2&ns=docker.io&last=a"));

    assertThat(tags.status()).isEqualTo(200);
    assertThat(new String(tags.body(), StandardCharsets.UTF_8))
        .contains("\"tags\":[\"a\",\"b\"]")
        .contains("\"query\":\"n=2&last=a\"");
    assertThat(tags.contentType()).isEqualTo("application/json");
    assertThat(tags.link()).contains("</v2/library/alpine/tags/list?last=b&n=2>; rel=\"next\"");
  }

  @Test
  void everyRequest_hasUserAgent() throws Exception {
    UpstreamClient client = client(FakeRegistry.Auth.BEARER, Optional.of(ALICE));
    registry.putManifest("library/alpine", "3.19", MANIFEST, MediaTypes.OCI_INDEX);
    Digest blob = registry.putBlob(new byte[10]);

    value(client.getManifest(ALPINE, tag("3.19"), List.of()));
    value(client.getBlob(ALPINE, blob)).close();

    assertThat(registry.seen)
        .hasSizeGreaterThanOrEqualTo(5)
        .allSatisfy(seen -> assertThat(seen.userAgent()).isEqualTo("stevedore/0.1"));
  }

  @Test
  void paginationQuery_keepsOnlyNAndLast() {
    assertThat(RegistryEndpoints.paginationQuery(null)).isEmpty();
    assertThat(RegistryEndpoints.paginationQuery("ns=docker.io")).isEmpty();
    assertThat(RegistryEndpoints.paginationQuery("n=10&last=v1.2&x=y")).isEqualTo("n=10&last=v1.2");
    assertThat(RegistryEndpoints.paginationQuery("last=a%20b\r\n")).isEmpty();
  }
}
