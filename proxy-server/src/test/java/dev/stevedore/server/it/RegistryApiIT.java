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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The registry API through Stevedore against the real registry: headers, ranges and errors. */
class RegistryApiIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static Upstream upstream;
  private static InProcessStevedore proxy;
  private static URI proxyUri;
  private static TestImage image;

  @BeforeAll
  static void start() throws Exception {
    Path work = Files.createTempDirectory("stevedore-api-it");
    upstream = Upstream.start(work.resolve("upstream"));
    image = new TestImages(7).layerSizes(50_000, 120_000).dockerImage();
    upstream.push("library/busybox", "1", image);
    proxy =
        InProcessStevedore.on(work.resolve("data")).upstream("docker.io", upstream.uri()).start();
    proxyUri = proxy.uri();
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private static HttpResponse<byte[]> send(String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(proxyUri.resolve(path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      request.headers(headers);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpResponse<byte[]> upstreamHead(String path, String accept) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(upstream.registry().uri().resolve(path))
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .header("Accept", accept)
            .header(
                "Authorization", "Bearer " + upstream.tokens().mintToken("library/busybox", "pull"))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String body(HttpResponse<byte[]> response) {
    return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void base_answersApiVersion() throws Exception {
    HttpResponse<byte[]> response = send("GET", "/v2/");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Docker-Distribution-API-Version"))
        .hasValue("registry/2.0");
  }

  @Test
  void headManifestByTag_carriesUpstreamDigestTypeAndLength() throws Exception {
    String accept = image.manifest().mediaType();
    HttpResponse<byte[]> direct = upstreamHead("/v2/library/busybox/manifests/1", accept);
    HttpResponse<byte[]> proxied = send("HEAD", "/v2/busybox/manifests/1", "Accept", accept);

    assertThat(proxied.statusCode()).isEqualTo(200);
    for (String header : List.of("Docker-Content-Digest", "Content-Type", "Content-Length")) {
      assertThat(proxied.headers().firstValue(header))
          .as(header)
          .isEqualTo(direct.headers().firstValue(header));
    }
  }

  @Test
  void getManifestByTag_isByteExact() throws Exception {
    HttpResponse<byte[]> response =
        send("GET", "/v2/library/busybox/manifests/1", "Accept", image.manifest().mediaType());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(image.manifest().bytes());
    assertThat(response.headers().firstValue("Docker-Content-Digest")).hasValue(image.digest());
  }

  @Test
  void blobRanges_partialAndUnsatisfiable() throws Exception {
    Blob layer = image.blobs().get(image.blobs().size() - 1);
    String path = "/v2/library/busybox/blobs/" + layer.digest();
    send("GET", path);

    HttpResponse<byte[]> partial = send("GET", path, "Range", "bytes=10-19");
    HttpResponse<byte[]> beyond = send("GET", path, "Range", "bytes=" + layer.bytes().length + "-");

    assertThat(partial.statusCode()).isEqualTo(206);
    assertThat(partial.body()).isEqualTo(Arrays.copyOfRange(layer.bytes(), 10, 20));
    assertThat(partial.headers().firstValue("Content-Range"))
        .hasValue("bytes 10-19/" + layer.bytes().length);
    assertThat(beyond.statusCode()).isEqualTo(416);
    assertThat(body(beyond)).contains("UNSUPPORTED");
  }

  @Test
  void headBlob_uncached_answersSizeWithoutDownloading() throws Exception {
    Blob config = image.blobs().get(0);
    upstream.resetCounters();

    HttpResponse<byte[]> head = send("HEAD", "/v2/library/busybox/blobs/" + config.digest());

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(config.bytes().length);
    assertThat(upstream.front().cdnRequests()).isZero();
  }

  @Test
  void unknownTagAndBlob_areOciErrors() throws Exception {
    HttpResponse<byte[]> manifest = send("GET", "/v2/library/busybox/manifests/nope");
    HttpResponse<byte[]> blob = send("GET", "/v2/library/busybox/blobs/sha256:" + "0".repeat(64));

    assertThat(manifest.statusCode()).isEqualTo(404);
    assertThat(body(manifest)).contains("\"code\":\"MANIFEST_UNKNOWN\"");
    assertThat(blob.statusCode()).isEqualTo(404);
    assertThat(body(blob)).contains("\"code\":\"BLOB_UNKNOWN\"");
  }

  @Test
  void badInput_isRefusedBeforeTheUpstream() throws Exception {
    upstream.resetCounters();

    HttpResponse<byte[]> name = send("GET", "/v2/Bad..Name/manifests/1");
    HttpResponse<byte[]> traversal = send("GET", "/v2/library/%2e%2e/%2e%2e/manifests/1");
    HttpResponse<byte[]> digest = send("GET", "/v2/library/busybox/blobs/sha256:abc");
    HttpResponse<byte[]> push = send("PUT", "/v2/library/busybox/manifests/1");
    HttpResponse<byte[]> upload = send("POST", "/v2/library/busybox/blobs/uploads/");
    HttpResponse<byte[]> catalog = send("GET", "/v2/_catalog");

    assertThat(name.statusCode()).isEqualTo(404);
    assertThat(body(name)).contains("NAME_UNKNOWN");
    assertThat(traversal.statusCode()).isEqualTo(400);
    assertThat(digest.statusCode()).isEqualTo(404);
    assertThat(body(digest)).contains("BLOB_UNKNOWN");
    assertThat(push.statusCode()).isEqualTo(405);
    assertThat(body(push)).contains("UNSUPPORTED");
    assertThat(upload.statusCode()).isEqualTo(405);
    assertThat(catalog.statusCode()).isEqualTo(405);
    assertThat(upstream.front().requestLog()).isEmpty();
  }

  @Test
  void upstreamRateLimit_withNothingCached_isTooManyRequestsWithRetryAfter() throws Exception {
    upstream.front().failNext(".*/manifests/.*", 429, Map.of("Retry-After", "30"));

    HttpResponse<byte[]> response = send("GET", "/v2/library/busybox/manifests/uncached");

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(body(response)).contains("TOOMANYREQUESTS");
    assertThat(response.headers().firstValue("Retry-After")).hasValue("30");
  }

  @Test
  void unreachableUpstream_startsAndAnswersUnavailable(@org.junit.jupiter.api.io.TempDir Path data)
      throws Exception {
    try (InProcessStevedore offline =
        InProcessStevedore.on(data)
            .upstream("docker.io", URI.create("http://127.0.0.1:1"))
            .start()) {
      URI base = offline.uri();
      HttpResponse<String> manifest =
          HTTP.send(
              HttpRequest.newBuilder(base.resolve("/v2/library/busybox/manifests/1")).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(manifest.statusCode()).isEqualTo(503);
      assertThat(manifest.body()).contains("\"code\":\"UNAVAILABLE\"");
    }
  }

  @Test
  void tagsList_isForwarded() throws Exception {
    HttpResponse<byte[]> response = send("GET", "/v2/library/busybox/tags/list");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(body(response)).contains("\"1\"");
  }

  /** The codes of the spec's error table, and UNAVAILABLE: all an error body may name. */
  private static final java.util.Set<String> SPEC_CODES =
      java.util.Set.of(
          "BLOB_UNKNOWN",
          "BLOB_UPLOAD_INVALID",
          "BLOB_UPLOAD_UNKNOWN",
          "DIGEST_INVALID",
          "MANIFEST_BLOB_UNKNOWN",
          "MANIFEST_INVALID",
          "MANIFEST_UNKNOWN",
          "NAME_INVALID",
          "NAME_UNKNOWN",
          "SIZE_INVALID",
          "UNAUTHORIZED",
          "DENIED",
          "UNSUPPORTED",
          "TOOMANYREQUESTS",
          "UNAVAILABLE");

  private static String errorCode(HttpResponse<byte[]> response) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(response.body())
        .path("errors")
        .path(0)
        .path("code")
        .asText();
  }

  @Test
  void conformancePullWorkflow_impossibleReferences_areUnknown_withSpecCodes() throws Exception {
    HttpResponse<byte[]> get = send("GET", "/v2/busybox/manifests/.INVALID_MANIFEST_NAME");
    HttpResponse<byte[]> head = send("HEAD", "/v2/busybox/manifests/.INVALID_MANIFEST_NAME");
    HttpResponse<byte[]> put = send("PUT", "/v2/busybox/manifests/sha256:totallywrong");
    HttpResponse<byte[]> blob = send("GET", "/v2/busybox/blobs/sha256:totallywrong");
    HttpResponse<byte[]> name = send("GET", "/v2/Not..A..Name/tags/list");
    HttpResponse<byte[]> endpoint = send("GET", "/v2/busybox/nothing-here");
    HttpResponse<byte[]> malformed = send("GET", "/v2/busybox/manifests/%2e%2e");

    assertThat(get.statusCode()).isEqualTo(404);
    assertThat(errorCode(get)).isEqualTo("MANIFEST_UNKNOWN");
    assertThat(head.statusCode()).isEqualTo(404);
    assertThat(put.statusCode()).isIn(400, 404);
    assertThat(errorCode(put)).isEqualTo("MANIFEST_UNKNOWN");
    assertThat(blob.statusCode()).isEqualTo(404);
    assertThat(errorCode(blob)).isEqualTo("BLOB_UNKNOWN");
    assertThat(name.statusCode()).isEqualTo(404);
    assertThat(errorCode(name)).isEqualTo("NAME_UNKNOWN");
    assertThat(endpoint.statusCode()).isEqualTo(404);
    assertThat(errorCode(endpoint)).isEqualTo("UNSUPPORTED");
    assertThat(malformed.statusCode()).isEqualTo(400);
    for (HttpResponse<byte[]> error : List.of(get, put, blob, name, endpoint, malformed)) {
      assertThat(errorCode(error)).as(body(error)).isIn(SPEC_CODES);
    }
  }

  @Test
  void tagsList_isPagedByNAndLast_inLexicalOrder_withALinkToTheNextPage() throws Exception {
    for (String tag : List.of("b", "2", "a", "10", "1")) {
      upstream.push("library/paged", tag, image);
    }
    List<String> seen = new java.util.ArrayList<>();
    String next = "/v2/paged/tags/list?n=2";
    List<String> links = new java.util.ArrayList<>();
    for (int page = 0; next != null && page < 10; page++) {
      HttpResponse<byte[]> response = send("GET", next);
      assertThat(response.statusCode()).as(body(response)).isEqualTo(200);
      com.fasterxml.jackson.databind.JsonNode tags =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).path("tags");
      assertThat(tags.size()).isBetween(1, 2);
      tags.forEach(tag -> seen.add(tag.asText()));
      next =
          response
              .headers()
              .firstValue("Link")
              .map(link -> link.substring(1, link.indexOf('>')))
              .orElse(null);
      if (next != null) {
        links.add(next);
      }
    }

    assertThat(seen).containsExactly("1", "10", "2", "a", "b");
    assertThat(links)
        .containsExactly("/v2/paged/tags/list?n=2&last=10", "/v2/paged/tags/list?n=2&last=a");
  }
}
