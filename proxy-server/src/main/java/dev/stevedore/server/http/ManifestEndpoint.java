package dev.stevedore.server.http;

import dev.stevedore.core.cache.AcceptedTypes;
import dev.stevedore.core.cache.ManifestContent;
import dev.stevedore.core.cache.ManifestDescriptor;
import dev.stevedore.core.cache.ManifestRequest;
import dev.stevedore.core.cache.ManifestService;
import dev.stevedore.core.cache.PullStats;
import dev.stevedore.core.cache.Served;
import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.model.Reference;
import dev.stevedore.server.status.RecentClients;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** {@code GET|HEAD /v2/<name>/manifests/<reference>}: exact bytes, upstream's headers. */
final class ManifestEndpoint {
  static final String STALE_WARNING = "110 stevedore \"Response is Stale\"";

  private final ManifestService manifests;
  private final PullStats pulls;
  private final RecentClients clients;
  private final EncodedManifests encoded = new EncodedManifests(ManifestEndpoint::freshAnswer);

  ManifestEndpoint(ManifestService manifests, PullStats pulls, RecentClients clients) {
    this.manifests = manifests;
    this.pulls = pulls;
    this.clients = clients;
  }

  /**
   * The tag or digest in a manifest path. One that cannot be either names no manifest: 404 {@code
   * MANIFEST_UNKNOWN}, what the spec and its conformance suite expect of a GET or HEAD of {@code
   * .INVALID_MANIFEST_NAME}.
   */
  static Reference parseReference(String text) {
    try {
      return Reference.parse(text);
    } catch (RegistryException e) {
      throw ErrorCode.MANIFEST_UNKNOWN.exception(
          "no manifest has this reference, " + e.getMessage());
    }
  }

  void handle(RegistryRequest request) {
    Reference reference = parseReference(request.reference());
    // a digest names one manifest, served whatever the client accepts: only a tag needs the header
    AcceptedTypes accept =
        reference.isDigest()
            ? AcceptedTypes.ANY
            : AcceptedTypes.parse(request.headers().getAll(HttpHeaderNames.ACCEPT));
    ManifestRequest manifest =
        new ManifestRequest(request.upstream(), request.repository(), reference, accept);
    if (request.head()) {
      manifests
          .head(manifest)
          .whenComplete(
              (served, error) -> {
                if (served != null) {
                  request.outcome(served.outcome());
                }
                Responses.send(
                    request.ctx(),
                    error != null
                        ? ErrorResponses.of(error, true)
                        : response(served.value(), new byte[0], true, served.stale()));
              });
      return;
    }
    manifests
        .get(manifest)
        .whenComplete(
            (served, error) -> {
              if (served != null) {
                request.outcome(served.outcome());
                pulls.record(request.upstream().name(), request.repository());
                clients.record(
                    ClientAddress.of(request.ctx().channel()),
                    Optional.ofNullable(request.headers().get(HttpHeaderNames.USER_AGENT)));
              }
              if (served != null && encodable(request, served)) {
                Responses.send(request.ctx(), encoded.answer(served.value()));
                return;
              }
              Responses.send(
                  request.ctx(),
                  error != null
                      ? ErrorResponses.of(error, false)
                      : response(
                          served.value().descriptor(),
                          served.value().body(),
                          false,
                          served.stale()));
            });
  }

  /**
   * Whether the answer is the same bytes for every request, so its encoded form serves: a fresh
   * manifest, for a keep-alive HTTP/1.1 request whose upstream no {@code ns} parameter picked
   * (those answers carry a header of their own).
   */
  private static boolean encodable(RegistryRequest request, Served<ManifestContent> served) {
    HttpRequest http = request.context().request();
    return !served.stale()
        && !request.context().namespaced()
        && http.protocolVersion() == HttpVersion.HTTP_1_1
        && HttpUtil.isKeepAlive(http);
  }

  /** A fresh manifest's whole GET answer, as {@link #response} and the common headers make it. */
  private static FullHttpResponse freshAnswer(ManifestContent manifest) {
    FullHttpResponse response = response(manifest.descriptor(), manifest.body(), false, false);
    RequestContext.stampCommon(response);
    return response;
  }

  /**
   * The manifest types as header values of our own: an answer in one of them carries only values of
   * ours (a parsed digest, lengths), so its headers skip validation, and the type is copied to the
   * wire as bytes. Any other type (an upstream's, on a HEAD answered from upstream) is checked.
   */
  private static final Map<String, AsciiString> OWN_TYPES =
      MediaTypes.ALL_MANIFESTS.stream()
          .collect(Collectors.toUnmodifiableMap(type -> type, AsciiString::cached));

  private static FullHttpResponse response(
      ManifestDescriptor descriptor, byte[] body, boolean head, boolean stale) {
    AsciiString ownType = OWN_TYPES.get(descriptor.mediaType());
    FullHttpResponse response =
        ownType != null
            ? Responses.fullOfOwnValues(HttpResponseStatus.OK, ownType, body, head)
            : Responses.full(HttpResponseStatus.OK, descriptor.mediaType(), body, head);
    String digest = descriptor.digest().toString();
    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, descriptor.size());
    response.headers().set(Responses.DIGEST_HEADER, digest);
    response.headers().set(HttpHeaderNames.ETAG, "\"" + digest + "\"");
    if (stale) {
      response.headers().set(HttpHeaderNames.WARNING, STALE_WARNING);
    }
    return response;
  }
}
