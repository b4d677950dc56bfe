package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.core.cache.BlobService;
import dev.stevedore.core.cache.ManifestService;
import dev.stevedore.core.cache.RepositoryLinks;
import dev.stevedore.core.cache.StoredManifests;
import dev.stevedore.core.metrics.CacheMetrics;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.testing.FakeUpstream;
import dev.stevedore.core.upstream.ReferrersResponse;
import dev.stevedore.core.upstream.TagListResponse;
import dev.stevedore.core.upstream.Upstreams;
import dev.stevedore.server.HealthCheck;
import dev.stevedore.server.metrics.StevedoreMetrics;
import dev.stevedore.storage.BlobWriter;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.FileSystemBlobStore;
import dev.stevedore.storage.FileSystemLinkStore;
import dev.stevedore.storage.FileSystemMediaTypeStore;
import dev.stevedore.storage.FileSystemTagStore;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Drives the handler alone in an {@link EmbeddedChannel}: requests go in as full requests, the
 * services run on the calling thread over an on-disk cache, and the upstreams refuse every call
 * except tag lists.
 */
class RegistryRequestHandlerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Executor SAME_THREAD = Runnable::run;
  private static final RepositoryName ALPINE = RepositoryName.parse("library/alpine");
  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final String MISSING_DIGEST =
      "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  @TempDir Path dataDir;

  private final FakeUpstream hub = FakeUpstream.refusing("docker.io");
  private final FakeUpstream ghcr = FakeUpstream.refusing("ghcr.io");
  private FileSystemBlobStore blobs;
  private StoredManifests manifests;
  private RepositoryLinks links;
  private EmbeddedChannel channel;
  private RegistryServices services;

  @BeforeEach
  void setUp() throws IOException {
    blobs = FileSystemBlobStore.open(dataDir);
    manifests = new StoredManifests(blobs, FileSystemMediaTypeStore.open(dataDir));
    links =
        new RepositoryLinks(
            FileSystemLinkStore.open(dataDir),
            manifests,
            SAME_THREAD,
            Clock.systemUTC(),
            RepositoryLinks.DEFAULT_NEGATIVE_TTL);
    RegistryServices services =
        new RegistryServices(
            new Upstreams(Map.of("docker.io", hub, "ghcr.io", ghcr), "docker.io"),
            new ManifestService(
                manifests,
                FileSystemTagStore.open(dataDir),
                SAME_THREAD,
                Clock.systemUTC(),
                Duration.ofMinutes(5),
                links),
            new BlobService(
                blobs,
                SAME_THREAD,
                SAME_THREAD,
                CacheMetrics.NONE,
                BlobService.DEFAULT_STALL_TIMEOUT,
                links),
            SAME_THREAD,
            new StevedoreMetrics(),
            new HealthCheck(blobs, SAME_THREAD),
            address -> "<html>status</html>");
    channel = new EmbeddedChannel(new RegistryRequestHandler(services));
    this.services = services;
  }

  /** Serves the following requests with {@code access} deciding who may. */
  private void useAccessControl(RecordingAccessControl access) {
    assertThat(channel.finishAndReleaseAll()).isFalse();
    channel = new EmbeddedChannel(new RegistryRequestHandler(services, access));
  }

  @AfterEach
  void noLeaksAndNoRefusedUpstreamCalls() {
    assertThat(channel.finishAndReleaseAll()).as("unread or leaked outbound messages").isFalse();
    assertThat(hub.refused).as("refused calls to docker.io").isEmpty();
    assertThat(ghcr.refused).as("refused calls to ghcr.io").isEmpty();
  }

  // --- helpers ---

  /** A complete response, copied out and released. */
  private record Answer(int status, HttpHeaders headers, String body) {
    JsonNode error() throws IOException {
      JsonNode errors = JSON.readTree(body).get("errors");
      assertThat(errors).as("errors in " + body).hasSize(1);
      return errors.get(0);
    }

    String code() throws IOException {
      return error().get("code").asText();
    }
  }

  private void writeRequest(HttpMethod method, String uri, String... headers) {
    DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    for (int i = 0; i < headers.length; i += 2) {
      request.headers().add(headers[i], headers[i + 1]);
    }
    channel.writeInbound(request);
  }

  /** The next outbound message, waiting briefly in case an answer completes asynchronously. */
  private Object nextOutbound() {
    for (int attempt = 0; attempt < 200; attempt++) {
      channel.runPendingTasks();
      Object message = channel.readOutbound();
      if (message != null) {
        return message;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return fail("no response written");
  }

  private Answer exchange(HttpMethod method, String uri, String... headers) {
    writeRequest(method, uri, headers);
    Object message = nextOutbound();
    if (message instanceof EncodedResponse encoded) {
      message = EncodedResponses.decode(encoded);
    }
    assertThat(message).isInstanceOf(FullHttpResponse.class);
    FullHttpResponse response = (FullHttpResponse) message;
    try {
      return new Answer(
          response.status().code(),
          response.headers().copy(),
          response.content().toString(StandardCharsets.UTF_8));
    } finally {
      response.release();
    }
  }

  private Answer get(String uri, String... headers) {
    return exchange(HttpMethod.GET, uri, headers);
  }

  /** A streamed response: its head and every body byte up to the last content. */
  private record Streamed(HttpResponse head, byte[] body) {}

  private Streamed getStreamed(String uri, String... headers) throws IOException {
    writeRequest(HttpMethod.GET, uri, headers);
    Object first = nextOutbound();
    assertThat(first).isInstanceOf(HttpResponse.class).isNotInstanceOf(FullHttpResponse.class);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      Object message = nextOutbound();
      try {
        if (message instanceof FileRegion region) {
          WritableByteChannel sink = Channels.newChannel(body);
          while (region.transferred() < region.count()) {
            region.transferTo(sink, region.transferred());
          }
        } else if (message instanceof HttpContent content) {
          content.content().readBytes(body, content.content().readableBytes());
          if (message instanceof LastHttpContent) {
            return new Streamed((HttpResponse) first, body.toByteArray());
          }
        } else {
          fail("unexpected outbound message " + message);
        }
      } finally {
        ReferenceCountUtil.release(message);
      }
    }
  }

  /** Stores a blob fetched through docker.io/library/alpine and docker.io/library/a. */
  private Digest storeBlob(byte[] content) throws IOException {
    Digest digest = Digest.sha256(content);
    try (BlobWriter writer = blobs.create(digest)) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit();
    }
    links.link("docker.io", ALPINE, digest);
    links.link("docker.io", RepositoryName.parse("library/a"), digest);
    return digest;
  }

  /** Stores a manifest fetched through docker.io/library/alpine. */
  private Digest storeManifest(String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256(body);
    links.linkManifest("docker.io", ALPINE, manifests.store(digest, body, OCI_MANIFEST));
    return digest;
  }

  // --- base endpoint ---

  @Test
  void getBase_isEmptyJsonWithApiVersion() {
    Answer answer = get("/v2/");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("{}");
    assertThat(answer.headers().get("Docker-Distribution-API-Version")).isEqualTo("registry/2.0");
    assertThat(answer.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
  }

  @Test
  void getBaseWithoutSlash_isOk() {
    assertThat(get("/v2").status()).isEqualTo(200);
  }

  @Test
  void headBase_hasNoBodyButContentLength() {
    Answer answer = exchange(HttpMethod.HEAD, "/v2/");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).isEmpty();
    assertThat(answer.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(2);
  }

  @Test
  void getBase_twiceOnOneConnection_answersBoth() {
    assertThat(get("/v2/").status()).isEqualTo(200);
    assertThat(get("/v2/").status()).isEqualTo(200);
    assertThat(channel.isOpen()).isTrue();
  }

  // --- pushes and other unsupported operations ---

  @ParameterizedTest
  @CsvSource({
    "PUT, /v2/library/alpine/manifests/latest",
    "DELETE, /v2/library/alpine/manifests/" + MISSING_DIGEST,
    "DELETE, /v2/a/blobs/" + MISSING_DIGEST,
    "POST, /v2/library/alpine/blobs/uploads/",
    "PATCH, /v2/a/blobs/uploads/3f1c",
    "GET, /v2/_catalog"
  })
  void pushOrCatalog_isUnsupportedWithAllow(String method, String uri) throws IOException {
    Answer answer = exchange(HttpMethod.valueOf(method), uri);

    assertThat(answer.status()).isEqualTo(405);
    assertThat(answer.code()).isEqualTo("UNSUPPORTED");
    assertThat(answer.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET, HEAD");
  }

  @Test
  void postBase_isUnsupported() {
    assertThat(exchange(HttpMethod.POST, "/v2/").status()).isEqualTo(405);
  }

  @Test
  void unsupported_afterwardsConnectionStillServes() {
    exchange(HttpMethod.PUT, "/v2/a/manifests/latest");

    assertThat(get("/v2/").status()).isEqualTo(200);
  }

  // --- validation before any disk or upstream work ---

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2/UPPER/manifests/x",
        "/v2/-a/manifests/x",
        "/v2/a_/manifests/x",
        "/v2/Library/alpine/blobs/" + MISSING_DIGEST,
        "/v2/UPPER/tags/list"
      })
  void invalidName_isNameUnknownWithoutUpstreamCall(String uri) throws IOException {
    Answer answer = get(uri);

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.code()).isEqualTo("NAME_UNKNOWN");
    assertThat(hub.calls).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2/../etc/manifests/x",
        "/v2/%2e%2e/etc/manifests/x",
        "/v2/a/%2E%2E/b/manifests/x",
        "/v2/a/./b/manifests/x",
        "/v2/a//b/manifests/x",
        "/v2/a%00b/manifests/x",
        "/v2/a%2Fb/manifests/x",
        "/v2/a/manifests/x%2f",
        "/v2/a/manifests/%252e",
        "/%2576%32/a/manifests/x",
        "/v2/a/manifests/x%",
        "/v2/a/manifests/x%4",
        "/v2/a/manifests/x%zz",
        "/v2/a/manifests/x;param",
        "/v2/a/manifests/x\u0000",
        "/v2/a/manifests/x\u007f",
        "/v2/a/manifests/x%0d%0aInjected:%20yes",
        "/v2/a/manifests/x?ns=%00",
        "/v2/a/manifests/x?ns=a&ns=b",
        "/v2/a/manifests/x?%zz",
        "/v2/../../blobs/" + MISSING_DIGEST,
        "http://example.com/v2/a/manifests/x",
        "*",
        "v2/a/manifests/x"
      })
  void nonCanonicalTarget_isBadRequestWithoutUpstreamCall(String uri) throws IOException {
    Answer answer = get(uri);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.code()).isEqualTo("UNSUPPORTED");
    assertThat(answer.error().get("detail").asText()).doesNotContainPattern("\\p{Cntrl}");
    assertThat(hub.calls).isEmpty();
  }

  @Test
  void escapedSpellingOfAPath_isServedAsTheDecodedPath() {
    Digest digest = storeManifest("{\"schemaVersion\":2}");

    String escapedDigest = digest.toString().replace(":", "%3a");

    Answer answer = get("/%762/%6Cibrary/alpine/manifests/" + escapedDigest);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.headers().get("Docker-Content-Digest")).isEqualTo(digest.toString());
  }

  @Test
  void statusPage_hasARestrictiveContentSecurityPolicy() {
    Answer answer = get("/");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.headers().get("Content-Security-Policy"))
        .contains("default-src 'none'")
        .contains("frame-ancestors 'none'")
        .doesNotContain("script-src");
  }

  // --- authentication, decided on the parsed route ---

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2/",
        "/v2",
        "/%762/",
        "/v2/library/alpine/manifests/3.19",
        "/%762/library/alpine/manifests/3.19",
        "/%76%32/library/alpine/blobs/" + MISSING_DIGEST,
        "/v%32/library/alpine/tags/list",
        "/v2/library/alpine/tags/list?ns=docker.io",
        "/v2/_catalog",
        "/v2/a/blobs/uploads/",
        "/favicon.ico",
        "/v1/_ping",
        "/metrics/"
      })
  void everyRouteButTheOperatorEndpoints_needsCredentials(String uri) throws IOException {
    RecordingAccessControl access = RecordingAccessControl.refusing();
    useAccessControl(access);

    Answer answer = get(uri);

    assertThat(access.authenticationsAsked()).isEqualTo(1);
    assertThat(answer.status()).isEqualTo(401);
    assertThat(answer.code()).isEqualTo("UNAUTHORIZED");
    assertThat(hub.calls).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/metrics", "/healthz", "/readyz"})
  void operatorEndpoints_answerWithoutCredentials(String uri) {
    RecordingAccessControl access = RecordingAccessControl.refusing();
    useAccessControl(access);

    Answer answer = get(uri);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(access.authenticationsAsked()).isZero();
  }

  @Test
  void nonCanonicalTarget_isRefusedBeforeAuthentication() {
    RecordingAccessControl access = RecordingAccessControl.refusing();
    useAccessControl(access);

    Answer answer = get("/v2/a%2Fb/manifests/x");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(access.authenticationsAsked()).isZero();
  }

  @Test
  void allowList_readsTheDecodedName() {
    RecordingAccessControl access = RecordingAccessControl.admitting();
    useAccessControl(access);

    get("/v2/%6Cibrary/alpine/manifests/sha256:" + MISSING_DIGEST.substring(7) + "?ns=ghcr.io");

    assertThat(access.allowQuestions()).containsExactly("ghcr.io/library/alpine");
  }

  static Stream<Arguments> invalidReferences() {
    return Stream.of(
        Arguments.of("/v2/" + "a".repeat(256) + "/manifests/latest", "NAME_UNKNOWN"),
        Arguments.of("/v2/a/blobs/sha256:xyz", "BLOB_UNKNOWN"),
        Arguments.of("/v2/a/blobs/.INVALID_BLOB_DIGEST", "BLOB_UNKNOWN"),
        Arguments.of("/v2/a/manifests/sha256:xyz", "MANIFEST_UNKNOWN"),
        Arguments.of("/v2/a/manifests/-latest", "MANIFEST_UNKNOWN"),
        Arguments.of("/v2/a/manifests/.INVALID_MANIFEST_NAME", "MANIFEST_UNKNOWN"));
  }

  @ParameterizedTest
  @MethodSource("invalidReferences")
  void impossibleNameOrReference_isUnknownWithoutUpstreamCall(String uri, String code)
      throws IOException {
    Answer answer = get(uri);

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.code()).isEqualTo(code);
    assertThat(hub.calls).isEmpty();
  }

  @Test
  void headInvalidName_hasNoBody() {
    Answer answer = exchange(HttpMethod.HEAD, "/v2/UPPER/manifests/x");

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.body()).isEmpty();
    assertThat(answer.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isPositive();
  }

  @ParameterizedTest
  @ValueSource(strings = {"latest", "md5:abc", "sha256:ABCDEF", "sha256"})
  void headBlobWithBadDigest_isBlobUnknownWithoutBody(String reference) {
    Answer answer = exchange(HttpMethod.HEAD, "/v2/a/blobs/" + reference);

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.body()).isEmpty();
    assertThat(hub.calls).isEmpty();
  }

  @Test
  void unknownNamespace_isNameUnknown() throws IOException {
    Answer answer = get("/v2/library/alpine/manifests/latest?ns=quay.io");

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.code()).isEqualTo("NAME_UNKNOWN");
    assertThat(answer.error().get("detail").asText()).contains("quay.io");
    assertThat(hub.calls).isEmpty();
    assertThat(ghcr.calls).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/favicon.ico", "/v1/_ping", "/v2/a", "/v2/a/tags", "/v2/a/manifests/"})
  void unknownPath_isNotFound(String uri) throws IOException {
    Answer answer = get(uri);

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.code()).isEqualTo("UNSUPPORTED");
    assertThat(hub.calls).isEmpty();
  }

  // --- referrers (OCI 1.1) ---

  private static final String COSIGN = "application/vnd.dev.cosign.artifact.sig.v1+json";

  private static ReferrersResponse referrersIndex(boolean filtered) {
    String index =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
            + "\"manifests\":[]}";
    return new ReferrersResponse(index.getBytes(StandardCharsets.UTF_8), List.of(), filtered);
  }

  @Test
  void referrers_withoutUpstreamApi_isA404ThatSendsClientsToTheTagSchema() throws IOException {
    Answer answer = get("/v2/library/alpine/referrers/" + MISSING_DIGEST);

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.code()).isEqualTo("MANIFEST_UNKNOWN"); // not NAME_UNKNOWN: oras falls back
    assertThat(answer.body()).contains("tag schema");
    assertThat(hub.referrersGets).hasValue(1);
  }

  @Test
  void referrers_passesTheIndexAndFilterAndCachesIt() throws IOException {
    hub.referrers = referrersIndex(true);
    String uri =
        "/v2/library/alpine/referrers/"
            + MISSING_DIGEST
            + "?artifactType=application%2Fvnd.dev.cosign.artifact.sig.v1%2Bjson";

    Answer first = get(uri);
    Answer second = get(uri);
    Answer head = exchange(HttpMethod.HEAD, uri);

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.headers().get(HttpHeaderNames.CONTENT_TYPE))
        .isEqualTo("application/vnd.oci.image.index.v1+json");
    assertThat(first.headers().get("OCI-Filters-Applied")).isEqualTo("artifactType");
    assertThat(first.body()).isEqualTo(new String(hub.referrers.index(), StandardCharsets.UTF_8));
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
        .isEqualTo(hub.referrers.index().length);
    assertThat(hub.referrersGets).hasValue(1);
    assertThat(hub.referrersFilters).containsExactly(Optional.of(COSIGN));
  }

  @Test
  void referrers_unfiltered_hasNoFilterHeader() throws IOException {
    hub.referrers = referrersIndex(false);

    Answer answer =
        get("/v2/library/alpine/referrers/" + MISSING_DIGEST + "?artifactType=no%20media%20type");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.headers().contains("OCI-Filters-Applied")).isFalse();
    assertThat(hub.referrersFilters).containsExactly(Optional.empty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"latest", "sha256:abc"})
  void referrers_ofNoDigest_isDigestInvalid(String reference) throws IOException {
    Answer answer = get("/v2/library/alpine/referrers/" + reference);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.code()).isEqualTo("DIGEST_INVALID");
    assertThat(hub.referrersGets).hasValue(0);
  }

  @Test
  void referrers_push_isUnsupported() throws IOException {
    Answer answer = exchange(HttpMethod.PUT, "/v2/library/alpine/referrers/" + MISSING_DIGEST);

    assertThat(answer.status()).isEqualTo(405);
    assertThat(hub.referrersGets).hasValue(0);
  }

  @Test
  void cosignSignatureTag_pullsThroughLikeAnyTag() throws IOException {
    String tag = "sha256-" + MISSING_DIGEST.substring("sha256:".length()) + ".sig";
    FakeUpstream.Manifest signature =
        hub.putTag(tag, "{\"schemaVersion\":2,\"layers\":[]}", OCI_MANIFEST);

    Answer answer = get("/v2/library/alpine/manifests/" + tag, "Accept", OCI_MANIFEST);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.headers().get("Docker-Content-Digest"))
        .isEqualTo(signature.digest().toString());
  }

  @Test
  void malformedRequest_isRejectedWithoutUpstreamCall() {
    DefaultFullHttpRequest request =
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v2/a/manifests/latest");
    request.setDecoderResult(DecoderResult.failure(new TooLongFrameException("header too long")));
    channel.writeInbound(request);

    FullHttpResponse response = (FullHttpResponse) nextOutbound();
    try {
      assertThat(response.status().code()).isBetween(400, 499);
    } finally {
      response.release();
    }
    assertThat(hub.calls).isEmpty();
  }

  // --- cached content, served without the upstream ---

  @Test
  void getManifest_recordsTheClientForTheStatusPage_headDoesNot() {
    String json = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"layers\":[]}";
    Digest digest = storeManifest(json);

    exchange(HttpMethod.HEAD, "/v2/library/alpine/manifests/" + digest, "User-Agent", "skopeo/1.9");
    assertThat(services.clients().recent(10)).isEmpty();
    Answer answer =
        get("/v2/library/alpine/manifests/" + digest, "User-Agent", "containerd/1.7.2<b> (linux)");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(services.clients().recent(10))
        .singleElement()
        .satisfies(
            client -> {
              assertThat(client.address()).isEqualTo(ClientAddress.of(channel));
              assertThat(client.product()).isEqualTo("containerd/1.7.2<b>");
              assertThat(client.pulls()).isEqualTo(1);
            });
  }

  @Test
  void getCachedManifestByDigest_isExactBytesWithDigestHeaders() {
    String json = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"layers\":[]}";
    Digest digest = storeManifest(json);

    Answer answer = get("/v2/library/alpine/manifests/" + digest);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo(json);
    assertThat(answer.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo(OCI_MANIFEST);
    assertThat(answer.headers().get("Docker-Content-Digest")).isEqualTo(digest.toString());
    assertThat(answer.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(json.length());
    assertThat(answer.headers().get(HttpHeaderNames.ETAG)).isEqualTo("\"" + digest + "\"");
    assertThat(answer.headers().contains(HttpHeaderNames.WARNING)).isFalse();
    assertThat(hub.calls).isEmpty();
  }

  @Test
  void hotManifestByDigest_isAnsweredEncoded_withTheBytesOfTheBuiltAnswer() {
    String json = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"layers\":[]}";
    Digest digest = storeManifest(json);
    String uri = "/v2/library/alpine/manifests/" + digest;

    writeRequest(HttpMethod.GET, uri);
    Object first = nextOutbound();
    writeRequest(HttpMethod.GET, uri);
    Object second = nextOutbound();

    assertThat(first).isInstanceOf(EncodedResponse.class);
    assertThat(second).isInstanceOf(EncodedResponse.class);
    assertThat(((EncodedResponse) second).status()).isEqualTo(200);
    assertThat(((EncodedResponse) second).bodyBytes()).isEqualTo(json.length());
    FullHttpResponse decoded = EncodedResponses.decode((EncodedResponse) second);
    try {
      assertThat(decoded.content().toString(StandardCharsets.UTF_8)).isEqualTo(json);
      assertThat(decoded.headers().get("Docker-Content-Digest")).isEqualTo(digest.toString());
      assertThat(decoded.headers().get(HttpHeaderNames.ETAG)).isEqualTo("\"" + digest + "\"");
      assertThat(decoded.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo(OCI_MANIFEST);
      assertThat(decoded.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(decoded.headers().get("Docker-Distribution-API-Version"))
          .isEqualTo("registry/2.0");
    } finally {
      decoded.release();
      ((EncodedResponse) first).release();
    }
  }

  /** Answers with a header of their own are built per request, never encoded. */
  @ParameterizedTest
  @ValueSource(strings = {"?ns=docker.io", "connection: close"})
  void manifestAnswerOfItsOwn_isNotEncoded(String variant) {
    String json = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"layers\":[]}";
    Digest digest = storeManifest(json);
    String uri = "/v2/library/alpine/manifests/" + digest;

    if (variant.startsWith("?")) {
      writeRequest(HttpMethod.GET, uri + variant);
    } else {
      writeRequest(HttpMethod.GET, uri, "Connection", "close");
    }
    Object message = nextOutbound();

    assertThat(message).isInstanceOf(FullHttpResponse.class);
    FullHttpResponse response = (FullHttpResponse) message;
    try {
      assertThat(response.content().toString(StandardCharsets.UTF_8)).isEqualTo(json);
    } finally {
      response.release();
    }
  }

  @Test
  void headCachedManifestByDigest_hasLengthWithoutBody() {
    String json = "{\"schemaVersion\":2}";
    Digest digest = storeManifest(json);

    Answer answer = exchange(HttpMethod.HEAD, "/v2/alpine/manifests/" + digest);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).isEmpty();
    assertThat(answer.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(json.length());
    assertThat(answer.headers().get("Docker-Content-Digest")).isEqualTo(digest.toString());
    assertThat(hub.calls).isEmpty();
  }

  @Test
  void getCachedManifest_viaHubAliasNamespace_isServed() {
    Digest digest = storeManifest("{\"schemaVersion\":2}");

    assertThat(get("/v2/alpine/manifests/" + digest + "?ns=registry-1.docker.io").status())
        .isEqualTo(200);
    assertThat(hub.calls).isEmpty();
  }

  @Test
  void getCached_throughARepositoryWithoutItsLink_asksUpstreamInThatRepositoryFirst()
      throws IOException {
    Digest blob = storeBlob("private layer".getBytes(StandardCharsets.UTF_8));
    Digest manifest = storeManifest("{\"schemaVersion\":2}");

    Answer blobAnswer = get("/v2/library/public/blobs/" + blob);
    Answer manifestAnswer = get("/v2/library/public/manifests/" + manifest);

    assertThat(blobAnswer.status()).isNotEqualTo(200);
    assertThat(manifestAnswer.status()).isNotEqualTo(200);
    assertThat(hub.refused)
        .containsExactly(
            "headBlob library/public " + blob, "headManifest library/public " + manifest);
    hub.refused.clear();
  }

  @Test
  void getCachedBlob_isWholeFile() throws IOException {
    byte[] content = "hello, layer".getBytes(StandardCharsets.UTF_8);
    Digest digest = storeBlob(content);

    Streamed streamed = getStreamed("/v2/library/alpine/blobs/" + digest);

    assertThat(streamed.head().status().code()).isEqualTo(200);
    assertThat(streamed.head().headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
        .isEqualTo(content.length);
    assertThat(streamed.head().headers().get("Docker-Content-Digest")).isEqualTo(digest.toString());
    assertThat(streamed.head().headers().get(HttpHeaderNames.ACCEPT_RANGES)).isEqualTo("bytes");
    assertThat(streamed.body()).isEqualTo(content);
    assertThat(hub.calls).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"bytes=2-5, bytes 2-5/10, 2345", "bytes=-3, bytes 7-9/10, 789"})
  void getCachedBlobWithRange_isPartialContent(String range, String contentRange, String part)
      throws IOException {
    Digest digest = storeBlob("0123456789".getBytes(StandardCharsets.UTF_8));

    Streamed streamed = getStreamed("/v2/a/blobs/" + digest, "Range", range);

    assertThat(streamed.head().status().code()).isEqualTo(206);
    assertThat(streamed.head().headers().get(HttpHeaderNames.CONTENT_RANGE))
        .isEqualTo(contentRange);
    assertThat(streamed.head().headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
        .isEqualTo(part.length());
    assertThat(new String(streamed.body(), StandardCharsets.UTF_8)).isEqualTo(part);
  }

  @Test
  void getCachedBlobWithRangeBeyondEnd_is416WithContentRange() throws IOException {
    Digest digest = storeBlob("0123456789".getBytes(StandardCharsets.UTF_8));

    Answer answer = get("/v2/a/blobs/" + digest, "Range", "bytes=20-29");

    assertThat(answer.status()).isEqualTo(416);
    assertThat(answer.code()).isEqualTo("UNSUPPORTED");
    assertThat(answer.headers().get(HttpHeaderNames.CONTENT_RANGE)).isEqualTo("bytes */10");
    assertThat(hub.calls).isEmpty();
  }

  @Test
  void getCachedEmptyBlob_isEmptyBody() throws IOException {
    Digest digest = storeBlob(new byte[0]);

    Streamed streamed = getStreamed("/v2/a/blobs/" + digest);

    assertThat(streamed.head().status().code()).isEqualTo(200);
    assertThat(streamed.head().headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isZero();
    assertThat(streamed.body()).isEmpty();
  }

  @Test
  void headCachedBlob_hasLengthWithoutBody() throws IOException {
    Digest digest = storeBlob(new byte[1234]);

    Answer answer = exchange(HttpMethod.HEAD, "/v2/a/blobs/" + digest);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).isEmpty();
    assertThat(answer.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(1234);
    assertThat(answer.headers().get("Docker-Content-Digest")).isEqualTo(digest.toString());
    assertThat(hub.calls).isEmpty();
  }

  // --- tag lists, forwarded to the selected upstream ---

  /** An upstream's tag list answer in JSON. */
  private static TagListResponse tagList(int status, String json, Optional<String> link) {
    return new TagListResponse(
        status, json.getBytes(StandardCharsets.UTF_8), "application/json", link);
  }

  @Test
  void getTags_defaultUpstream_getsHubNameWithoutQuery() {
    hub.tags = tagList(200, "{\"name\":\"library/alpine\",\"tags\":[\"3.19\"]}", Optional.empty());

    Answer answer = get("/v2/alpine/tags/list");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("{\"name\":\"library/alpine\",\"tags\":[\"3.19\"]}");
    assertThat(hub.calls).containsExactly("listTags library/alpine null");
  }

  @Test
  void getTags_namespace_selectsUpstreamAndDropsNsFromQuery() {
    ghcr.tags =
        tagList(
            200,
            "{\"name\":\"org/app\",\"tags\":[\"b\",\"c\"]}",
            Optional.of("</v2/org/app/tags/list?last=c&n=2>; rel=\"next\""));

    Answer answer = get("/v2/org/app/tags/list?n=2&ns=ghcr.io&last=a");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("{\"name\":\"org/app\",\"tags\":[\"b\",\"c\"]}");
    assertThat(answer.headers().get("Link"))
        .isEqualTo("</v2/org/app/tags/list?n=2&last=c&ns=ghcr.io>; rel=\"next\"");
    assertThat(ghcr.calls).containsExactly("listTags org/app n=2&last=a");
    assertThat(hub.calls).isEmpty();
  }

  @Test
  void getTags_upstreamNamedInThePath_selectsIt_andLinksKeepThePath() {
    ghcr.tags =
        tagList(
            200,
            "{\"name\":\"org/app\",\"tags\":[\"b\",\"c\"]}",
            Optional.of("</v2/org/app/tags/list?last=c&n=2>; rel=\"next\""));

    Answer answer = get("/v2/ghcr.io/org/app/tags/list?n=2&last=a");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.headers().get("Link"))
        .isEqualTo("</v2/ghcr.io/org/app/tags/list?n=2&last=c>; rel=\"next\"");
    assertThat(ghcr.calls).containsExactly("listTags org/app n=2&last=a");
    assertThat(hub.calls).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2/docker.io/alpine/tags/list", // Docker Hub named in the path: library/ as ever
        "/v2/registry-1.docker.io/alpine/tags/list",
      })
  void getTags_dockerHubNamedInThePath_isTheHub(String path) {
    hub.tags = tagList(200, "{\"name\":\"library/alpine\",\"tags\":[\"3.19\"]}", Optional.empty());

    assertThat(get(path).status()).isEqualTo(200);

    assertThat(hub.calls).containsExactly("listTags library/alpine null");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2/quay.io/org/app/tags/list", // not configured: a Docker Hub name (which fails there)
        "/v2/ghcrio/app/tags/list", // no dot: a namespace, never a registry
        "/v2/ghcr.io/tags/list", // one component: the repository ghcr.io itself
      })
  void getTags_pathNotNamingAConfiguredRegistry_goesToTheDefault(String path) {
    hub.tags = tagList(200, "{\"name\":\"x\",\"tags\":[]}", Optional.empty());

    get(path);

    assertThat(ghcr.calls).isEmpty();
  }

  @Test
  void allowList_readsTheNameWithoutTheRegistryInThePath() {
    RecordingAccessControl access = RecordingAccessControl.admitting();
    useAccessControl(access);

    get("/v2/ghcr.io/org/app/manifests/sha256:" + MISSING_DIGEST.substring(7));

    assertThat(access.allowQuestions()).containsExactly("ghcr.io/org/app");
  }

  @Test
  void getTags_upstreamIgnoringNAndLast_isPagedHereInLexicalOrder() {
    hub.tags =
        tagList(
            200,
            "{\"name\":\"library/alpine\",\"tags\":[\"d\",\"a\",\"c\",\"b\"]}",
            Optional.empty());

    Answer first = get("/v2/library/alpine/tags/list?n=2");
    Answer second = get("/v2/library/alpine/tags/list?n=2&last=b");
    Answer after = get("/v2/library/alpine/tags/list?last=c");

    assertThat(first.body()).isEqualTo("{\"name\":\"library/alpine\",\"tags\":[\"a\",\"b\"]}");
    assertThat(first.headers().get("Link"))
        .isEqualTo("</v2/library/alpine/tags/list?n=2&last=b>; rel=\"next\"");
    assertThat(second.body()).isEqualTo("{\"name\":\"library/alpine\",\"tags\":[\"c\",\"d\"]}");
    assertThat(second.headers().get("Link")).isNull();
    assertThat(after.body()).isEqualTo("{\"name\":\"library/alpine\",\"tags\":[\"d\"]}");
    assertThat(after.headers().get("Link")).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"n=-1", "n=x", "n=99999999999"})
  void getTags_badN_isRefusedWithoutUpstreamCall(String query) throws IOException {
    Answer answer = get("/v2/alpine/tags/list?" + query);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.code()).isEqualTo("UNSUPPORTED");
    assertThat(hub.calls).isEmpty();
  }

  @Test
  void putOfAManifestThatCannotExist_isManifestUnknown() throws IOException {
    Answer answer = exchange(HttpMethod.PUT, "/v2/a/manifests/sha256:totallywrong");

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.code()).isEqualTo("MANIFEST_UNKNOWN");
    assertThat(hub.calls).isEmpty();
  }

  @Test
  void getTags_otherUpstream_nameIsNotPrefixedWithLibrary() {
    ghcr.tags = tagList(200, "{}", Optional.empty());

    get("/v2/app/tags/list?ns=ghcr.io");

    assertThat(ghcr.calls).singleElement().isIn("listTags app null", "listTags app ");
  }

  @Test
  void getTags_upstreamStatus_isPassedThrough() {
    hub.tags = tagList(404, "{\"errors\":[{\"code\":\"NAME_UNKNOWN\"}]}", Optional.empty());

    Answer answer = get("/v2/nope/tags/list");

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.body()).contains("NAME_UNKNOWN");
  }

  @Test
  void headTags_hasNoBody() {
    hub.tags = tagList(200, "{\"tags\":[]}", Optional.empty());

    Answer answer = exchange(HttpMethod.HEAD, "/v2/alpine/tags/list");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).isEmpty();
    assertThat(answer.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(11);
  }

  @Test
  void refusedUpstreamCall_isRecorded_soTheseTestsWouldCatchIt() throws IOException {
    Answer answer = get("/v2/library/alpine/manifests/" + MISSING_DIGEST);

    assertThat(answer.status()).isEqualTo(500);
    assertThat(hub.refused).containsExactly("getManifest library/alpine " + MISSING_DIGEST);
    List<String> seen = new ArrayList<>(hub.refused);
    hub.refused.clear();
    assertThat(seen).hasSize(1);
  }
}
