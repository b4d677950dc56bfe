package dev.stevedore.server.http;

import dev.stevedore.core.cache.BlobFetch;
import dev.stevedore.core.cache.BlobService;
import dev.stevedore.core.cache.CacheOutcome;
import dev.stevedore.core.cache.Futures;
import dev.stevedore.core.cache.StoredBlob;
import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.server.store.BlobRedirects;
import dev.stevedore.storage.BlobReader;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.text.Printable;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** {@code GET|HEAD /v2/<name>/blobs/<digest>}, with single {@code Range} requests. */
final class BlobEndpoint {
  private final BlobService blobs;
  private final Executor disk;
  private final Optional<BlobRedirects> redirects;

  BlobEndpoint(BlobService blobs, Executor disk, Optional<BlobRedirects> redirects) {
    this.blobs = blobs;
    this.disk = disk;
    this.redirects = redirects;
  }

  void handle(RegistryRequest request) {
    Digest digest = parseDigest(request.reference());
    if (request.head()) {
      blobs
          .size(request.upstream(), request.repository(), digest)
          .whenComplete(
              (size, error) -> {
                if (error != null) {
                  Responses.send(request.ctx(), ErrorResponses.of(error, true));
                  return;
                }
                Responses.send(
                    request.ctx(),
                    Responses.bodiless(BlobHeaders.of(digest, size, new ByteRange.Whole())));
              });
      return;
    }
    Optional<String> rangeHeader =
        Optional.ofNullable(request.headers().get(HttpHeaderNames.RANGE));
    if (redirects.isPresent()) {
      redirectOrSend(request, digest, rangeHeader, redirects.get());
    } else {
      sendBytes(request, digest, rangeHeader);
    }
  }

  /**
   * With {@code --blob-redirect}: a blob the shared store holds is answered with {@code 307} to a
   * presigned URL of it, once the repository is known to have it (as for any answer, confirmed
   * upstream when it has no link); any other blob is sent as without redirects, which also puts it
   * into the store for the next request.
   */
  private void redirectOrSend(
      RegistryRequest request,
      Digest digest,
      Optional<String> rangeHeader,
      BlobRedirects redirects) {
    Futures.supplyBlocking(() -> redirects.locate(digest), disk)
        .thenCompose(
            url ->
                url.isEmpty()
                    ? CompletableFuture.completedFuture(url)
                    : blobs
                        .mayServe(request.upstream(), request.repository(), digest)
                        .thenApply(ok -> url))
        .whenComplete(
            (url, error) -> {
              if (error != null) {
                Responses.send(request.ctx(), ErrorResponses.of(error, false));
              } else if (url.isPresent()) {
                request.outcome(CacheOutcome.REDIRECTED);
                Responses.send(request.ctx(), Responses.redirect(url.get(), digest));
              } else {
                sendBytes(request, digest, rangeHeader);
              }
            });
  }

  private void sendBytes(RegistryRequest request, Digest digest, Optional<String> rangeHeader) {
    blobs
        .open(request.upstream(), request.repository(), digest)
        .whenComplete(
            (source, error) -> {
              if (error != null) {
                Responses.send(request.ctx(), ErrorResponses.of(error, false));
              } else if (source instanceof StoredBlob stored) {
                request.outcome(CacheOutcome.HIT);
                send(request, stored.reader(), rangeHeader);
              } else if (source instanceof BlobFetch fetch) {
                request.outcome(fetch.claimOutcome());
                Futures.supplyBlocking(fetch::openReader, disk)
                    .whenComplete(
                        (reader, failed) -> {
                          if (failed != null) {
                            Responses.send(request.ctx(), ErrorResponses.of(failed, false));
                          } else {
                            send(request, reader, rangeHeader);
                          }
                        });
              }
            });
  }

  /** Sends the blob, or the range asked for; a blob of unknown size only whole. */
  private void send(RegistryRequest request, BlobReader reader, Optional<String> rangeHeader) {
    long size = reader.size();
    ByteRange.Request range = size < 0 ? new ByteRange.Whole() : ByteRange.parse(rangeHeader, size);
    if (refused(request, range, size)) {
      reader.close();
    } else {
      BlobSender.send(request.ctx(), reader, range, disk);
    }
  }

  private static boolean refused(RegistryRequest request, ByteRange.Request range, long size) {
    if (!(range instanceof ByteRange.Unsatisfiable)) {
      return false;
    }
    RegistryException error =
        new RegistryException(
            ErrorCode.UNSUPPORTED, // the spec gives 416 no code; "an invalid set of parameters"
            416,
            "range not satisfiable for a blob of " + size + " bytes",
            Map.of(HttpHeaderNames.CONTENT_RANGE.toString(), "bytes */" + size),
            null);
    Responses.send(request.ctx(), ErrorResponses.of(error, false));
    return true;
  }

  /**
   * The digest in a blob path. One that cannot be a digest names no blob: 404 {@code BLOB_UNKNOWN},
   * as the spec answers every blob that is not there ({@code DIGEST_INVALID} is for uploads whose
   * content does not match).
   */
  static Digest parseDigest(String text) {
    try {
      return Digest.parse(text);
    } catch (IllegalArgumentException e) {
      throw ErrorCode.BLOB_UNKNOWN.exception("no blob can have digest " + Printable.masked(text));
    }
  }
}
