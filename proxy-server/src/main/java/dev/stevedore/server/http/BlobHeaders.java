package dev.stevedore.server.http;

import dev.stevedore.storage.Digest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The response head of a blob (or a range of it) of a known or unknown size.
 *
 * <p>{@code Docker-Content-Digest} and the digest {@code ETag} vouch for the bytes: a response
 * carries them only when it can complete only with verified bytes — a stored blob, or a download
 * whose last byte is held back until its digest verified (a whole blob, or a range that includes
 * the last byte). A range that ends before the last byte of a blob still downloading is sent as the
 * bytes arrive, before anything is verified, so it names no digest.
 */
final class BlobHeaders {
  private BlobHeaders() {}

  /** A blob response head that vouches for the digest; {@code size} < 0 means unknown, chunked. */
  static HttpResponse of(Digest digest, long size, ByteRange.Request range) {
    return of(digest, size, range, true);
  }

  /**
   * A blob response head; {@code vouched} false leaves out the headers that name the digest (bytes
   * of a download that may still fail verification).
   */
  static HttpResponse of(Digest digest, long size, ByteRange.Request range, boolean vouched) {
    HttpResponse response;
    if (range instanceof ByteRange.Partial partial) {
      response = Responses.streaming(HttpResponseStatus.PARTIAL_CONTENT);
      response.headers().set(HttpHeaderNames.CONTENT_RANGE, partial.range().contentRange(size));
      response.headers().set(HttpHeaderNames.CONTENT_LENGTH, partial.range().length());
    } else {
      response = Responses.streaming(HttpResponseStatus.OK);
      if (size >= 0) {
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, size);
      } else {
        response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      }
    }
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
    if (vouched) {
      response.headers().set(Responses.DIGEST_HEADER, digest.toString());
      response.headers().set(HttpHeaderNames.ETAG, "\"" + digest + "\"");
    }
    response.headers().set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
    return response;
  }
}
