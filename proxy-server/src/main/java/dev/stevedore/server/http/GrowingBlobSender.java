package dev.stevedore.server.http;

import dev.stevedore.core.cache.BlobFetch;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams a blob that is still downloading, from its growing file, to one client. Reads run on the
 * disk executor; the next chunk is read only after the previous one was written, so a slow client
 * holds at most one chunk in memory and never slows the download. The final byte is held back until
 * the blob's digest verified, so no client ever receives a complete wrong blob: on a failed
 * download the connection is closed instead. A range that includes the last byte waits for the
 * digest the same way; a range that ends before it is sent as the bytes arrive, without the headers
 * that name the digest (see {@link BlobHeaders}), unless the download already verified.
 */
final class GrowingBlobSender {
  private static final Logger log = LoggerFactory.getLogger(GrowingBlobSender.class);
  private static final int CHUNK = 64 * 1024;
  private static final long REGION = 4L * 1024 * 1024;

  private final ChannelHandlerContext ctx;
  private final BlobFetch fetch;
  private final Executor disk;
  private final long end;
  private final boolean zeroCopy;
  private long position;
  private FileChannel file;

  private GrowingBlobSender(
      ChannelHandlerContext ctx, BlobFetch fetch, Executor disk, long first, long end) {
    this.ctx = ctx;
    this.fetch = fetch;
    this.disk = disk;
    this.position = first;
    this.end = end;
    this.zeroCopy = ctx.pipeline().get(SslHandler.class) == null;
  }

  /** Sends the response head at once, then the body as it arrives. */
  static void send(
      ChannelHandlerContext ctx, BlobFetch fetch, ByteRange.Request range, Executor disk) {
    long size = fetch.contentLength();
    long first = range instanceof ByteRange.Partial partial ? partial.range().first() : 0;
    long end = range instanceof ByteRange.Partial partial ? partial.range().last() + 1 : size;
    ctx.writeAndFlush(BlobHeaders.of(fetch.digest(), size, range, vouched(fetch, end)))
        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    GrowingBlobSender sender = new GrowingBlobSender(ctx, fetch, disk, first, end);
    disk.execute(sender::step);
  }

  /**
   * Whether a response ending at {@code end} (exclusive) can complete only with verified bytes: it
   * reaches the held-back last byte, or the download already verified.
   */
  static boolean vouched(BlobFetch fetch, long end) {
    long size = fetch.contentLength();
    boolean verified = fetch.done().isDone() && !fetch.done().isCompletedExceptionally();
    return verified || size < 0 || end >= size;
  }

  /** One step, on the disk executor: send what is there, wait for more, or finish. */
  private void step() {
    try {
      if (!ctx.channel().isActive()) {
        close();
        return;
      }
      if (file == null && !zeroCopy) {
        file = fetch.openChannel();
      }
      boolean verified = fetch.done().isDone() && !fetch.done().isCompletedExceptionally();
      long sendable = sendableLimit(verified);
      if (position < sendable) {
        sendChunk(sendable);
      } else if (end >= 0 && position >= end || verified) {
        finish();
      } else if (fetch.done().isCompletedExceptionally()) {
        abort("download failed");
      } else if (fetch.available() > position) {
        // everything is written but the final byte waits for the digest check: wait for it
        fetch.done().handleAsync((ok, failed) -> stepLater(), disk);
      } else {
        fetch.awaitBeyond(position).thenRunAsync(this::step, disk);
      }
    } catch (IOException | RuntimeException e) {
      abort(e.toString());
    }
  }

  /** Bytes that may go out now: all that is written, less the final byte until verified. */
  private long sendableLimit(boolean verified) {
    long available = fetch.available();
    long total = fetch.contentLength();
    long limit = verified || total < 0 ? available : Math.min(available, total - 1);
    return end >= 0 ? Math.min(limit, end) : limit;
  }

  private Void stepLater() {
    step();
    return null;
  }

  private void sendChunk(long sendable) throws IOException {
    if (zeroCopy) {
      long length = Math.min(REGION, sendable - position);
      DefaultFileRegion region = new DefaultFileRegion(fetch.openChannel(), position, length);
      position += length;
      send(region);
      return;
    }
    int length = (int) Math.min(CHUNK, sendable - position);
    ByteBuf buffer = ctx.alloc().ioBuffer(length);
    try {
      while (buffer.readableBytes() < length) {
        int wanted = length - buffer.readableBytes();
        if (buffer.writeBytes(file, position + buffer.readableBytes(), wanted) <= 0) {
          break;
        }
      }
    } catch (IOException e) {
      buffer.release();
      throw e;
    }
    position += buffer.readableBytes();
    send(new DefaultHttpContent(buffer));
  }

  /** Sends a chunk: the response's last one together with its end, any other one alone. */
  private void send(Object chunk) {
    if (end >= 0 && position >= end) {
      writeLast(chunk);
    } else {
      writeThenStep(chunk);
    }
  }

  /**
   * Writes the final chunk and the end of the response in one event-loop task. Written apart, a
   * client that has all its bytes may close the connection between the two, and the exchange would
   * end without its end: no access-log line, no request metric, for a response that was served.
   */
  private void writeLast(Object chunk) {
    close();
    ctx.executor()
        .execute(
            () -> {
              ctx.write(chunk).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
              ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                  .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            });
  }

  /** Writes one chunk and reads the next only once it is on the wire: a slow client holds one. */
  private void writeThenStep(Object chunk) {
    ctx.writeAndFlush(chunk)
        .addListener(
            written -> {
              if (written.isSuccess()) {
                disk.execute(this::step);
              } else {
                close();
              }
            });
  }

  private void finish() {
    close();
    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
  }

  private void abort(String why) {
    log.warn("aborting response for blob {} at byte {}: {}", fetch.digest(), position, why);
    close();
    ctx.channel().close();
  }

  private void close() {
    if (file != null) {
      try {
        file.close();
      } catch (IOException ignored) {
        // read-only handle
      }
      file = null;
    }
  }
}
