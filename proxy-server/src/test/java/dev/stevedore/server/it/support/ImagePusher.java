package dev.stevedore.server.it.support;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Pushes a {@link TestImage} straight to the registry (not through {@link CdnFront}) with a push
 * token minted by {@link TokenServer#mintToken}: blobs by monolithic upload, then the platform
 * manifests by digest, then the top-level manifest under the tag.
 */
public final class ImagePusher {
  private final URI registry;
  private final TokenServer tokens;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  public ImagePusher(URI registry, TokenServer tokens) {
    this.registry = registry;
    this.tokens = tokens;
  }

  /** Pushes every blob and manifest of {@code image}, the top-level one as {@code repo:tag}. */
  public void push(String repository, String tag, TestImage image) {
    String token = tokens.mintToken(repository, "pull", "push");
    for (Blob blob : image.blobs()) {
      pushBlob(repository, blob, token);
    }
    for (Blob child : image.childManifests()) {
      pushManifest(repository, child.digest(), child, token);
    }
    pushManifest(repository, tag, image.manifest(), token);
  }

  /** Uploads one blob unless the registry already has it. */
  public void pushBlob(String repository, Blob blob) {
    pushBlob(repository, blob, tokens.mintToken(repository, "pull", "push"));
  }

  /** Puts manifest bytes as-is under {@code reference} (a tag or the manifest's digest). */
  public void pushManifest(String repository, String reference, Blob manifest) {
    pushManifest(repository, reference, manifest, tokens.mintToken(repository, "pull", "push"));
  }

  private void pushBlob(String repository, Blob blob, String token) {
    URI blobUri = registry.resolve("/v2/" + repository + "/blobs/" + blob.digest());
    HttpResponse<String> head =
        send(authorized(blobUri, token).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    if (head.statusCode() == 200) {
      return;
    }

    URI uploads = registry.resolve("/v2/" + repository + "/blobs/uploads/");
    HttpResponse<String> started =
        send(authorized(uploads, token).POST(HttpRequest.BodyPublishers.noBody()));
    expect(started, 202, "start the upload of " + blob);
    String location =
        started
            .headers()
            .firstValue("Location")
            .orElseThrow(() -> new IllegalStateException("upload started without a Location"));

    URI target = uploads.resolve(location);
    String separator = target.getRawQuery() == null ? "?" : "&";
    URI put =
        URI.create(
            target
                + separator
                + "digest="
                + URLEncoder.encode(blob.digest(), StandardCharsets.UTF_8));
    HttpResponse<String> finished =
        send(
            authorized(put, token)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(blob.bytes())));
    expect(finished, 201, "finish the upload of " + blob);
  }

  private void pushManifest(String repository, String reference, Blob manifest, String token) {
    URI uri = registry.resolve("/v2/" + repository + "/manifests/" + reference);
    HttpResponse<String> response =
        send(
            authorized(uri, token)
                .header("Content-Type", manifest.mediaType())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest.bytes())));
    expect(response, 201, "put manifest " + repository + ":" + reference + " " + manifest);
    String digest = response.headers().firstValue("Docker-Content-Digest").orElse("");
    if (!digest.equals(manifest.digest())) {
      throw new IllegalStateException(
          "registry stored " + manifest + " under digest '" + digest + "'");
    }
  }

  private static HttpRequest.Builder authorized(URI uri, String token) {
    return HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + token);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    HttpRequest built = request.build();
    try {
      return http.send(built, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(built.method() + " " + built.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + built.method() + " " + built.uri());
    }
  }

  private static void expect(HttpResponse<String> response, int status, String what) {
    if (response.statusCode() != status) {
      throw new IllegalStateException(
          "cannot "
              + what
              + ": "
              + response.request().method()
              + " "
              + response.request().uri()
              + " answered "
              + response.statusCode()
              + " "
              + response.headers().map()
              + "\n"
              + response.body());
    }
  }
}
