package dev.stevedore.core.upstream;

import dev.stevedore.storage.Digest;
import java.net.http.HttpHeaders;
import java.util.Objects;
import java.util.Optional;

/**
 * Upstream's answer to {@code HEAD …/manifests/<reference>}: the digest (from {@code
 * Docker-Content-Digest}, or the requested digest), the media type, the length ({@code -1} when
 * unknown) and all response headers.
 */
public record ManifestHead(
    Optional<Digest> digest, String mediaType, long contentLength, HttpHeaders headers) {

  public ManifestHead {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(headers, "headers");
  }
}
