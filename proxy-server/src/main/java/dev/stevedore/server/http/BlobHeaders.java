package dev.stevedore.server.http;

import dev.stevedore.storage.Digest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/** The response head of a blob (or a range of it) of a known or unknown size. */
final class BlobHeaders {
  private BlobHeaders() {}

  /** A blob response head; {@code size} < 0 means unknown, sent chunked. */
  static HttpResponse of(Digest digest, long size, ByteRange.Request range) {
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
    response.headers().set(Responses.DIGEST_HEADER, digest.toString());
    response.headers().set(HttpHeaderNames.ETAG, "\"" + digest + "\"");
    response.headers().set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
    return response;
  }
}
