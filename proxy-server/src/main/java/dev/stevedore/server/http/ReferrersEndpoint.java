package dev.stevedore.server.http;

import dev.stevedore.core.cache.ReferrersService;
import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.upstream.ReferrersResponse;
import dev.stevedore.storage.Digest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code GET} and {@code HEAD /v2/<name>/referrers/<digest>[?artifactType=...]} (OCI distribution
 * 1.1), through the {@link ReferrersService}: the upstream's index with {@code OCI-Filters-Applied}
 * when it applied the filter. When the upstream has no referrers API the answer is a 404 ({@code
 * MANIFEST_UNKNOWN}): the spec forbids a registry that has the API to answer 404, so every client
 * (oras, cosign and go-containerregistry, regclient, containerd) takes it to mean "use the {@code
 * sha256-<hex>} tag schema", which pulls through like any tag. Not {@code NAME_UNKNOWN}: oras reads
 * that as a missing repository and does not fall back.
 *
 * <p>An {@code artifactType} that is no media type is not forwarded: the index then comes
 * unfiltered, without {@code OCI-Filters-Applied}, and the spec has the client filter it.
 */
final class ReferrersEndpoint {

  /** A media type ({@code type/subtype}, RFC 6838 characters), the only filter forwarded. */
  private static final Pattern MEDIA_TYPE =
      Pattern.compile(
          "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");

  private static final String FILTERS_APPLIED = "OCI-Filters-Applied";

  private final ReferrersService referrers;

  ReferrersEndpoint(ReferrersService referrers) {
    this.referrers = Objects.requireNonNull(referrers, "referrers");
  }

  void handle(RegistryRequest request) {
    if (!Digest.isValid(request.reference())) {
      throw ErrorCode.DIGEST_INVALID.exception(
          "referrers are asked for by digest, not " + request.reference());
    }
    Digest subject = Digest.parse(request.reference());
    referrers
        .referrers(
            request.upstream(), request.repository(), subject, artifactType(request.rawQuery()))
        .whenComplete(
            (served, error) -> {
              if (error != null) {
                Responses.send(request.ctx(), ErrorResponses.of(error, request.head()));
                return;
              }
              request.outcome(served.outcome());
              if (served.value().isEmpty()) {
                Responses.send(
                    request.ctx(),
                    ErrorResponses.of(
                        ErrorCode.MANIFEST_UNKNOWN.exception(
                            "upstream "
                                + request.upstream().name()
                                + " has no referrers API: use the sha256-<hex> tag schema"),
                        request.head()));
                return;
              }
              FullHttpResponse response = response(served.value().get(), request.head());
              if (served.stale()) {
                response.headers().set(HttpHeaderNames.WARNING, ManifestEndpoint.STALE_WARNING);
              }
              Responses.send(request.ctx(), response);
            });
  }

  private static FullHttpResponse response(ReferrersResponse index, boolean head) {
    FullHttpResponse response =
        Responses.full(HttpResponseStatus.OK, MediaTypes.OCI_INDEX, index.index(), head);
    index.filtersApplied().ifPresent(filters -> response.headers().set(FILTERS_APPLIED, filters));
    return response;
  }

  /** The {@code artifactType} parameter of the forwarded query, when it is one media type. */
  static Optional<String> artifactType(Optional<String> rawQuery) {
    if (rawQuery.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> found = Optional.empty();
    for (String parameter : rawQuery.get().split("&")) {
      if (!parameter.startsWith("artifactType=")) {
        continue;
      }
      if (found.isPresent()) {
        return Optional.empty(); // more than one: the spec has one filter
      }
      String value;
      try {
        value =
            URLDecoder.decode(
                parameter.substring("artifactType=".length()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
      if (!MEDIA_TYPE.matcher(value).matches()) {
        return Optional.empty();
      }
      found = Optional.of(value);
    }
    return found;
  }
}
