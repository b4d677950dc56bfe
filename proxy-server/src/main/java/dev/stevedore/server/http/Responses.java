package dev.stevedore.server.http;

import dev.stevedore.storage.Digest;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** Building and writing responses: the headers every answer carries, and HEAD without a body. */
final class Responses {
  static final AsciiString API_VERSION_HEADER =
      AsciiString.cached("Docker-Distribution-API-Version");
  static final AsciiString API_VERSION = AsciiString.cached("registry/2.0");
  static final AsciiString DIGEST_HEADER = AsciiString.cached("Docker-Content-Digest");

  /**
   * Response headers check their values (some come from upstreams) but not their names: every name
   * set here is a constant of ours, and checking them showed up in the manifest profile.
   */
  private static final HttpHeadersFactory HEADERS =
      DefaultHttpHeadersFactory.headersFactory().withNameValidation(false);

  /**
   * Headers that check nothing, for answers whose every value is ours: a parsed digest, lengths, a
   * media type from our own constants. Never for a value an upstream or a client sent.
   */
  private static final HttpHeadersFactory OWN_VALUES =
      DefaultHttpHeadersFactory.headersFactory().withValidation(false);

  private Responses() {}

  /** Headers only; the body follows as separate writes. */
  static HttpResponse streaming(HttpResponseStatus status) {
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, HEADERS);
    response.headers().set(API_VERSION_HEADER, API_VERSION);
    return response;
  }

  /**
   * {@code 307} to {@code location} (a presigned URL of the blob in the shared store), naming the
   * blob's digest. Empty body; the client repeats its GET (with any Range) there.
   */
  static FullHttpResponse redirect(URI location, Digest digest) {
    FullHttpResponse response =
        full(
            HttpResponseStatus.TEMPORARY_REDIRECT, "text/plain; charset=utf-8", new byte[0], false);
    response.headers().set(HttpHeaderNames.LOCATION, location.toASCIIString());
    response.headers().set(DIGEST_HEADER, digest.toString());
    return response;
  }

  /** A complete response; for a HEAD request the body is dropped but Content-Length kept. */
  static FullHttpResponse full(
      HttpResponseStatus status, String contentType, byte[] body, boolean head) {
    return full(status, contentType, body, head, HEADERS);
  }

  /**
   * Like {@link #full(HttpResponseStatus, String, byte[], boolean)} for an answer whose every
   * header value is ours ({@link #OWN_VALUES}): the caller vouches that none came from outside.
   */
  static FullHttpResponse fullOfOwnValues(
      HttpResponseStatus status, AsciiString contentType, byte[] body, boolean head) {
    return full(status, contentType, body, head, OWN_VALUES);
  }

  private static FullHttpResponse full(
      HttpResponseStatus status,
      CharSequence contentType,
      byte[] body,
      boolean head,
      HttpHeadersFactory headers) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body),
            headers,
            DefaultHttpHeadersFactory.trailersFactory());
    response.headers().set(API_VERSION_HEADER, API_VERSION);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return response;
  }

  static FullHttpResponse json(HttpResponseStatus status, String json, boolean head) {
    return full(status, "application/json", json.getBytes(StandardCharsets.UTF_8), head);
  }

  /** The answer to a HEAD: a response head, its Content-Length kept, with no body. */
  static FullHttpResponse bodiless(HttpResponse head) {
    return new DefaultFullHttpResponse(
        head.protocolVersion(),
        head.status(),
        Unpooled.EMPTY_BUFFER,
        head.headers(),
        EmptyHttpHeaders.INSTANCE);
  }

  /** Writes a complete response from any thread. */
  static void send(ChannelHandlerContext ctx, FullHttpResponse response) {
    write(ctx, response);
  }

  /** Writes a complete response already in wire form from any thread. */
  static void send(ChannelHandlerContext ctx, EncodedResponse response) {
    write(ctx, response);
  }

  private static void write(ChannelHandlerContext ctx, Object response) {
    // the listener rides on the promise from the start: added after a write that completed at once
    // (the usual case), it would be notified on a path of its own, measurably slower per request
    ctx.writeAndFlush(
        response, ctx.newPromise().addListener(ChannelFutureListener.CLOSE_ON_FAILURE));
  }
}
