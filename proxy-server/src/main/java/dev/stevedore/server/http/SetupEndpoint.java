package dev.stevedore.server.http;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.server.setup.MirrorAddress;
import dev.stevedore.server.setup.NodeKind;
import dev.stevedore.server.setup.NodeSetup;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code GET /setup/<kind>}: the script that points a node at this Stevedore, and {@code GET
 * /setup/}: the one-liners that fetch them. No credentials: the scripts hold no secret. The address
 * in them is the one the node asked (its {@code Host}) unless {@code --advertise} names one; a
 * {@code Host} that is not a plain {@code host[:port]} is refused, never written into a script.
 */
final class SetupEndpoint {
  private static final String SCRIPT = "text/x-shellscript; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String KINDS =
      Arrays.stream(NodeKind.values()).map(NodeKind::path).collect(Collectors.joining(", "));

  private final NodeSetup setup;

  SetupEndpoint(NodeSetup setup) {
    this.setup = setup;
  }

  /**
   * Answers the script of {@code kind}, or the index when it is null.
   *
   * @throws dev.stevedore.core.error.RegistryException 404 for an unknown kind, 400 for an unusable
   *     {@code Host}
   */
  void handle(ChannelHandlerContext ctx, HttpRequest request, boolean head, String kind) {
    Optional<NodeKind> node = Optional.empty();
    if (kind != null) {
      node = NodeKind.byPath(kind);
      if (node.isEmpty()) {
        throw ErrorCode.UNSUPPORTED.exception(
            404, "no setup script for this kind of node; there are: " + KINDS);
      }
    }
    MirrorAddress address =
        setup
            .address(Optional.ofNullable(request.headers().get(HttpHeaderNames.HOST)))
            .orElseThrow(
                () ->
                    ErrorCode.UNSUPPORTED.exception(
                        400,
                        "the Host header is not a plain host[:port]; fetch the script by the"
                            + " address nodes reach this server under"));
    String body =
        node.map(found -> setup.script(found, address)).orElseGet(() -> setup.index(address));
    FullHttpResponse response =
        Responses.full(
            HttpResponseStatus.OK,
            node.isPresent() ? SCRIPT : TEXT,
            body.getBytes(StandardCharsets.UTF_8),
            head);
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    Responses.send(ctx, response);
  }
}
