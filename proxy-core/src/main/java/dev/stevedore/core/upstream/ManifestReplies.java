package dev.stevedore.core.upstream;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.model.ManifestValidator;
import dev.stevedore.core.model.Reference;
import dev.stevedore.storage.Digest;
import java.net.http.HttpHeaders;
import java.util.Optional;

/**
 * Turns successful manifest replies into results: a digest the body is checked against, so wrong
 * bytes are never returned under a digest, and a body that must be whole (its announced length) and
 * a manifest ({@link ManifestValidator}: JSON of bounded depth, a known manifest type that agrees
 * with Content-Type), so an upstream cannot have HTML or half a manifest stored. A refused body is
 * an upstream error: nothing is returned for storing.
 */
final class ManifestReplies {

  static final int MAX_MANIFEST_BYTES = 8 * 1024 * 1024;
  static final String DEFAULT_MEDIA_TYPE = "application/octet-stream";

  private ManifestReplies() {}

  static ManifestResponse response(
      String upstream, String what, Reference reference, Reply<CappedBytes> reply) {
    CappedBytes body = reply.body();
    if (body.truncated()) {
      throw ErrorCode.MANIFEST_INVALID.exception(
          "upstream " + upstream + " sent a " + what + " larger than 8 MiB");
    }
    byte[] bytes = body.bytes();
    long announced = reply.contentLength();
    if (announced >= 0 && announced != bytes.length) {
      throw new UpstreamProtocolException(
          "it announced " + announced + " bytes and sent " + bytes.length);
    }
    Optional<Digest> claimed = headerDigest(reply.headers());
    Digest expected = reference.digest().or(() -> claimed).orElse(null);
    Digest actual = expected == null ? Digest.sha256(bytes) : digestOf(bytes, expected);
    if (expected != null && !actual.equals(expected)) {
      throw ErrorCode.MANIFEST_INVALID.exception(
          "upstream "
              + upstream
              + " sent a "
              + what
              + " whose content has digest "
              + actual
              + ", not "
              + expected);
    }
    String mediaType;
    try {
      mediaType = ManifestValidator.mediaTypeOf(bytes, contentType(reply.headers()));
    } catch (ManifestValidator.InvalidManifestException e) {
      throw new UpstreamProtocolException(e.getMessage());
    }
    return new ManifestResponse(bytes, mediaType, actual, reply.headers());
  }

  static ManifestHead head(Reference reference, Reply<Void> reply) {
    Optional<Digest> digest = headerDigest(reply.headers()).or(reference::digest);
    String mediaType = contentType(reply.headers()).orElse(DEFAULT_MEDIA_TYPE);
    return new ManifestHead(digest, mediaType, reply.contentLength(), reply.headers());
  }

  /** Content-Type without parameters, if present. */
  static Optional<String> contentType(HttpHeaders headers) {
    return headers
        .firstValue("Content-Type")
        .map(value -> value.split(";", 2)[0].strip())
        .filter(value -> !value.isEmpty());
  }

  private static Optional<Digest> headerDigest(HttpHeaders headers) {
    return headers
        .firstValue("Docker-Content-Digest")
        .map(String::strip)
        .filter(Digest::isValid)
        .map(Digest::parse);
  }

  private static Digest digestOf(byte[] bytes, Digest like) {
    return Digest.fromHash(like.algorithm(), like.newMessageDigest().digest(bytes));
  }
}
