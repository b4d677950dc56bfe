package dev.stevedore.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stevedore.core.json.Json;
import dev.stevedore.core.upstream.TagListResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v2/<name>/tags/list}: forwarded to the upstream, then paged as the spec says ({@link
 * TagPage}) whether or not the upstream honoured {@code n} and {@code last}.
 */
final class TagsEndpoint {
  void handle(RegistryRequest request, RequestTarget target) {
    TagPage page = TagPage.parse(request.rawQuery());
    request
        .upstream()
        .listTags(request.repository(), request.rawQuery().orElse(null))
        .whenComplete(
            (tags, error) -> {
              if (error != null) {
                Responses.send(request.ctx(), ErrorResponses.of(error, request.head()));
                return;
              }
              Responses.send(request.ctx(), answer(tags, page, target, request.head()));
            });
  }

  /** The upstream's list paged; an answer that is no tag list passes as sent. */
  static FullHttpResponse answer(
      TagListResponse tags, TagPage page, RequestTarget target, boolean head) {
    Optional<ObjectNode> list = tags.status() == 200 ? parse(tags.body()) : Optional.empty();
    if (list.isEmpty()) {
      FullHttpResponse response =
          Responses.full(
              HttpResponseStatus.valueOf(tags.status()), tags.contentType(), tags.body(), head);
      tags.link().ifPresent(link -> response.headers().set("Link", link));
      return response;
    }
    List<String> all = new ArrayList<>();
    list.get().path("tags").forEach(tag -> all.add(tag.asText()));
    TagPage.Result result = page.apply(all, tags.link().isPresent());
    ArrayNode kept = list.get().putArray("tags");
    result.tags().forEach(kept::add);
    FullHttpResponse response =
        Responses.full(
            HttpResponseStatus.OK,
            "application/json",
            list.get().toString().getBytes(StandardCharsets.UTF_8),
            head);
    if (result.more()) {
      String lastTag = result.tags().get(result.tags().size() - 1);
      response.headers().set("Link", page.nextLink(target.path(), target.namespace(), lastTag));
    }
    return response;
  }

  private static Optional<ObjectNode> parse(byte[] body) {
    try {
      JsonNode node = Json.MAPPER.readTree(body);
      if (node instanceof ObjectNode object
          && (object.path("tags").isArray() || object.path("tags").isNull())) {
        return Optional.of(object);
      }
    } catch (IOException e) {
      // not a tag list: passed on as sent
    }
    return Optional.empty();
  }
}
