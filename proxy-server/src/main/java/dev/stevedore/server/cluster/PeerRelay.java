package dev.stevedore.server.cluster;

import dev.stevedore.core.upstream.BlobDownload;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.BinaryOperator;

/**
 * Reads a blob from the peer replica that holds or downloads it: {@code GET
 * /_stevedore/cluster/blobs/<digest>?ns=NAME} with a {@code Range} from the byte wanted, signed
 * with the cluster's secret. The body streams as the peer receives it; its bytes are verified by
 * the writer they go to, as upstream bytes are, so a peer can never make this replica keep a wrong
 * blob.
 */
public final class PeerRelay {
  static final String PATH = "/_stevedore/cluster/blobs/";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http;
  private final BinaryOperator<String> signer;

  /**
   * @param signer the {@code Authorization} value for a method and a path with query
   */
  public PeerRelay(BinaryOperator<String> signer) {
    this.signer = Objects.requireNonNull(signer, "signer");
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * Opens the blob at {@code holder} from byte {@code offset}.
   *
   * @throws IOException when the peer cannot be reached or does not answer with the blob
   */
  public BlobDownload open(URI holder, String upstream, Digest digest, long offset)
      throws IOException {
    String pathAndQuery =
        PATH + digest + "?ns=" + URLEncoder.encode(upstream, StandardCharsets.UTF_8);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(holder.resolve(pathAndQuery))
            .timeout(HEADERS_TIMEOUT)
            .header("Authorization", signer.apply("GET", pathAndQuery))
            .GET();
    if (offset > 0) {
      request.header("Range", "bytes=" + offset + "-");
    }
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted relaying " + digest + " from " + holder);
    }
    int status = response.statusCode();
    boolean expected = offset > 0 ? status == 206 : status == 200;
    if (!expected) {
      response.body().close();
      throw new IOException("peer " + holder + " answered " + status + " for " + digest);
    }
    return new BlobDownload(totalLength(response, offset), response.body());
  }

  /** The whole blob's length: from {@code Content-Range} of a 206, else the body's length. */
  private static long totalLength(HttpResponse<?> response, long offset) {
    if (offset > 0) {
      return response.headers().firstValue("Content-Range").map(PeerRelay::totalOf).orElse(-1L);
    }
    OptionalLong length = response.headers().firstValueAsLong("Content-Length");
    return length.isPresent() ? length.getAsLong() : -1;
  }

  /** {@code bytes FIRST-LAST/TOTAL} -> TOTAL, or -1. */
  static long totalOf(String contentRange) {
    int slash = contentRange.lastIndexOf('/');
    try {
      return slash < 0 ? -1 : Long.parseLong(contentRange.substring(slash + 1).strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
