package dev.stevedore.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pulls an image from a registry mirror the way containerd does, over plain HTTP/1.1: {@code HEAD
 * /v2/NAME/manifests/TAG} (using {@code Docker-Content-Digest} and {@code Content-Length}), {@code
 * GET} the top-level manifest by digest, {@code GET} each platform manifest by digest, then the
 * config and layer blobs, {@code parallelBlobs} at a time. Every request carries {@code
 * ?ns=REGISTRY}. Every body is read to the end and checked against its descriptor's size and sha256
 * digest; any deviation fails the pull.
 *
 * <p>Unlike containerd it fetches every platform (like {@code skopeo copy --all}), so one pull
 * touches every blob of the image. One instance is one machine: its own connection pool.
 */
final class RegistryPullClient implements AutoCloseable {
  /** containerd's manifest Accept list (remotes/docker/resolver.go). */
  static final String MANIFEST_ACCEPT =
      String.join(
          ", ",
          MediaTypes.DOCKER_MANIFEST,
          MediaTypes.DOCKER_MANIFEST_LIST,
          MediaTypes.OCI_MANIFEST,
          MediaTypes.OCI_INDEX,
          "*/*");

  private static final Set<String> INDEX_TYPES =
      Set.of(MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST_LIST);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration HEADERS_TIMEOUT = Duration.ofMinutes(2);

  private final URI registry;
  private final String namespace;
  private final boolean verify;
  private final HttpClient http;
  private final ExecutorService blobThreads;

  /** What one pull fetched. */
  record Pulled(String digest, int manifests, int blobs, long blobBytes) {}

  /**
   * @param registry the mirror, {@code http://127.0.0.1:PORT}
   * @param namespace the {@code ns} query parameter containerd adds, e.g. {@code docker.io}
   * @param parallelBlobs concurrent blob downloads (containerd's default is 3)
   * @param verify whether to hash every body (turning it off saves client CPU, not requests)
   */
  RegistryPullClient(URI registry, String namespace, int parallelBlobs, boolean verify) {
    this.registry = registry;
    this.namespace = namespace;
    this.verify = verify;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    AtomicInteger threads = new AtomicInteger();
    this.blobThreads =
        Executors.newFixedThreadPool(
            parallelBlobs,
            runnable -> {
              Thread thread = new Thread(runnable, "pull-blob-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Pulls {@code repository:tag} with every platform; throws on any error or mismatch. */
  Pulled pull(String repository, String tag) throws IOException, InterruptedException {
    String digest = resolve(repository, tag);
    JsonNode top = manifest(repository, digest);
    int manifests = 1;
    List<JsonNode> images = new ArrayList<>();
    if (INDEX_TYPES.contains(top.path("mediaType").asText())) {
      for (JsonNode child : top.path("manifests")) {
        images.add(manifest(repository, child.path("digest").asText()));
        manifests++;
      }
    } else {
      images.add(top);
    }

    Map<String, Long> blobs = new LinkedHashMap<>();
    for (JsonNode image : images) {
      blobs.put(
          image.path("config").path("digest").asText(), image.path("config").path("size").asLong());
      for (JsonNode layer : image.path("layers")) {
        blobs.put(layer.path("digest").asText(), layer.path("size").asLong());
      }
    }
    AtomicLong bytes = new AtomicLong();
    List<Future<?>> downloads = new ArrayList<>();
    for (Map.Entry<String, Long> blob : blobs.entrySet()) {
      downloads.add(
          blobThreads.submit(
              () -> {
                bytes.addAndGet(blob(repository, blob.getKey(), blob.getValue()));
                return null;
              }));
    }
    try {
      for (Future<?> download : downloads) {
        download.get();
      }
    } catch (ExecutionException e) {
      downloads.forEach(download -> download.cancel(true));
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
    return new Pulled(digest, manifests, blobs.size(), bytes.get());
  }

  /** {@code HEAD} by tag: the digest the tag points at. */
  private String resolve(String repository, String tag) throws IOException, InterruptedException {
    HttpRequest head =
        request(repository, "manifests", tag)
            .header("Accept", MANIFEST_ACCEPT)
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .build();
    HttpResponse<Void> response = http.send(head, HttpResponse.BodyHandlers.discarding());
    require(response.statusCode() == 200, head, "answered " + response.statusCode());
    String digest = response.headers().firstValue("Docker-Content-Digest").orElse("");
    require(digest.startsWith("sha256:"), head, "no Docker-Content-Digest");
    require(
        response.headers().firstValueAsLong("Content-Length").orElse(0) > 0,
        head,
        "no Content-Length");
    return digest;
  }

  /** {@code GET} a manifest by digest, verified, parsed. */
  private JsonNode manifest(String repository, String digest)
      throws IOException, InterruptedException {
    HttpRequest get =
        request(repository, "manifests", digest).header("Accept", MANIFEST_ACCEPT).GET().build();
    HttpResponse<byte[]> response = http.send(get, HttpResponse.BodyHandlers.ofByteArray());
    require(response.statusCode() == 200, get, "answered " + response.statusCode());
    byte[] body = response.body();
    require(Blob.sha256(body).equals(digest), get, "body does not match its digest");
    JsonNode json = JSON.readTree(body);
    String contentType = response.headers().firstValue("Content-Type").orElse("");
    require(
        contentType.equals(json.path("mediaType").asText()),
        get,
        "Content-Type " + contentType + " is not the manifest's mediaType");
    return json;
  }

  /** {@code GET} a blob, streamed through sha256; returns its size. */
  private long blob(String repository, String digest, long size)
      throws IOException, InterruptedException {
    HttpRequest get = request(repository, "blobs", digest).GET().build();
    HttpResponse<InputStream> response = http.send(get, HttpResponse.BodyHandlers.ofInputStream());
    MessageDigest sha256 = sha256();
    long read = 0;
    try (InputStream body = response.body()) {
      require(response.statusCode() == 200, get, "answered " + response.statusCode());
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = body.read(buffer)) >= 0; ) {
        if (verify) {
          sha256.update(buffer, 0, n);
        }
        read += n;
      }
    }
    require(read == size, get, "sent " + read + " of " + size + " bytes");
    if (verify) {
      String actual = "sha256:" + HexFormat.of().formatHex(sha256.digest());
      require(actual.equals(digest), get, "body hashes to " + actual);
    }
    return read;
  }

  private HttpRequest.Builder request(String repository, String kind, String reference) {
    URI uri =
        registry.resolve("/v2/" + repository + "/" + kind + "/" + reference + "?ns=" + namespace);
    return HttpRequest.newBuilder(uri).timeout(HEADERS_TIMEOUT);
  }

  private static void require(boolean condition, HttpRequest request, String problem)
      throws IOException {
    if (!condition) {
      throw new IOException(request.method() + " " + request.uri() + ": " + problem);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    blobThreads.shutdownNow();
  }
}
