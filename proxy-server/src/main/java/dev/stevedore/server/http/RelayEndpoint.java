package dev.stevedore.server.http;

import dev.stevedore.core.cache.BlobFetch;
import dev.stevedore.core.cache.BlobService;
import dev.stevedore.core.cache.Futures;
import dev.stevedore.core.cache.StoredBlob;
import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.core.upstream.Upstreams;
import dev.stevedore.storage.BlobReader;
import dev.stevedore.storage.Digest;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * {@code GET /_stevedore/cluster/blobs/<digest>?ns=NAME}: a peer replica relays a blob this one is
 * downloading (the growing blob, as it arrives) or holds, from the byte its {@code Range} names.
 * Only peers reach it: a request without the cluster's proof, or to a replica without a cluster,
 * gets the same {@code 404} as any unknown path, so the endpoint is invisible to clients.
 */
final class RelayEndpoint {
  private final BlobService blobs;
  private final Upstreams upstreams;
  private final Executor disk;
  private final Optional<RelayAccess> access;

  RelayEndpoint(
      BlobService blobs, Upstreams upstreams, Executor disk, Optional<RelayAccess> access) {
    this.blobs = Objects.requireNonNull(blobs, "blobs");
    this.upstreams = Objects.requireNonNull(upstreams, "upstreams");
    this.disk = Objects.requireNonNull(disk, "disk");
    this.access = Objects.requireNonNull(access, "access");
  }

  void handle(
      ChannelHandlerContext ctx,
      RequestContext context,
      HttpRequest request,
      boolean head,
      RequestTarget target) {
    Optional<String> authorization =
        Optional.ofNullable(request.headers().get(HttpHeaderNames.AUTHORIZATION));
    if (access.isEmpty()
        || !access.get().admits(request.method().name(), request.uri(), authorization)) {
      throw RegistryRequestHandler.noSuchEndpoint(target);
    }
    Digest digest = BlobEndpoint.parseDigest(target.route().reference());
    Upstream upstream = upstreams.select(target.namespace());
    context.upstream(target.namespace(), upstream.name());
    Optional<String> range = Optional.ofNullable(request.headers().get(HttpHeaderNames.RANGE));
    blobs
        .relaySource(upstream.name(), digest)
        .thenCompose(
            source -> {
              if (source.isEmpty()) {
                throw ErrorCode.BLOB_UNKNOWN.exception("this replica has no " + digest);
              }
              if (source.get() instanceof StoredBlob stored) {
                return java.util.concurrent.CompletableFuture.completedFuture(stored.reader());
              }
              return Futures.supplyBlocking(((BlobFetch) source.get())::openReader, disk);
            })
        .whenComplete(
            (reader, error) -> {
              if (error != null) {
                Responses.send(ctx, ErrorResponses.of(error, head));
              } else {
                send(ctx, reader, range, head);
              }
            });
  }

  private void send(
      ChannelHandlerContext ctx, BlobReader reader, Optional<String> range, boolean head) {
    long size = reader.size();
    ByteRange.Request wanted = size < 0 ? new ByteRange.Whole() : ByteRange.parse(range, size);
    if (head || wanted instanceof ByteRange.Unsatisfiable) {
      reader.close();
      Responses.send(
          ctx,
          ErrorResponses.of(
              ErrorCode.UNSUPPORTED.exception(416, "cannot relay that range of " + reader.digest()),
              head));
      return;
    }
    BlobSender.send(ctx, reader, wanted, disk);
  }
}
