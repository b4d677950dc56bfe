package dev.stevedore.server.http;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/** {@code GET /v2/<name>/tags/list}: forwarded to the upstream, with its pagination. */
final class TagsEndpoint {

  void handle(RegistryRequest request) {
    request
        .upstream()
        .listTags(request.repository(), request.rawQuery().orElse(null))
        .whenComplete(
            (tags, error) -> {
              if (error != null) {
                Responses.send(request.ctx(), ErrorResponses.of(error, request.head()));
                return;
              }
              FullHttpResponse response =
                  Responses.full(
                      HttpResponseStatus.valueOf(tags.status()),
                      tags.contentType() == null ? "application/json" : tags.contentType(),
                      tags.body(),
                      request.head());
              tags.link().ifPresent(link -> response.headers().set("Link", link));
              Responses.send(request.ctx(), response);
            });
  }
}
