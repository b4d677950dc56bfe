package dev.stevedore.core.upstream;

import dev.stevedore.storage.Digest;
import java.net.http.HttpHeaders;
import java.util.Objects;

/**
 * A manifest exactly as upstream sent it, with its media type (Content-Type without parameters) and
 * its verified digest. The body array is not copied; treat it as read-only.
 */
public record ManifestResponse(byte[] body, String mediaType, Digest digest, HttpHeaders headers) {

  public ManifestResponse {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(headers, "headers");
  }
}
