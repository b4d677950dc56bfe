package dev.stevedore.server.http;

import dev.stevedore.core.cache.Futures;
import dev.stevedore.storage.BlobInfo;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a committed blob file. In plain HTTP it goes zero-copy ({@link DefaultFileRegion}): the
 * event loop only hands the region to the kernel. Under TLS the bytes must pass through the {@link
 * SslHandler}, so the file is read in chunks on the disk executor, and the next chunk is read only
 * once the previous one was written: a slow client holds one chunk, never the blob. The file is
 * opened on the disk executor in both cases; the event loop never touches the disk.
 */
final class StoredBlobSender {
  private static final Logger log = LoggerFactory.getLogger(StoredBlobSender.class);
  private static final int CHUNK = 64 * 1024;

  private StoredBlobSender() {}

  static void send(
      ChannelHandlerContext ctx, BlobInfo info, ByteRange.Request range, Executor disk) {
    long size = info.size();
    long first = range instanceof ByteRange.Partial partial ? partial.range().first() : 0;
    long length = range instanceof ByteRange.Partial partial ? partial.range().length() : size;
    boolean encrypted = ctx.pipeline().get(SslHandler.class) != null;
    Futures.supplyBlocking(() -> FileChannel.open(info.path(), StandardOpenOption.READ), disk)
        .whenComplete(
            (file, error) -> {
              if (error != null) {
                Responses.send(ctx, ErrorResponses.of(error, false));
                return;
              }
              ctx.write(BlobHeaders.of(info.digest(), size, range));
              if (length <= 0) {
                closeQuietly(file);
                finish(ctx);
              } else if (encrypted) {
                ctx.flush();
                new Chunks(ctx, info, file, first, first + length, disk).next();
              } else {
                ctx.write(new DefaultFileRegion(file, first, length));
                finish(ctx);
              }
            });
  }

  private static void finish(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
  }

  /** The copying path: one chunk read on the disk executor, written, then the next. */
  private static final class Chunks {
    private final ChannelHandlerContext ctx;
    private final BlobInfo info;
    private final FileChannel file;
    private final long end;
    private final Executor disk;
    private long position;

    Chunks(
        ChannelHandlerContext ctx,
        BlobInfo info,
        FileChannel file,
        long first,
        long end,
        Executor disk) {
      this.ctx = ctx;
      this.info = info;
      this.file = file;
      this.position = first;
      this.end = end;
      this.disk = disk;
    }

    /** Reads and writes one chunk, or ends the response; runs on the disk executor. */
    void next() {
      if (!ctx.channel().isActive()) {
        closeQuietly(file);
        return;
      }
      if (position >= end) {
        closeQuietly(file);
        finish(ctx);
        return;
      }
      ByteBuf chunk;
      try {
        chunk = read((int) Math.min(CHUNK, end - position));
      } catch (IOException | RuntimeException e) {
        log.warn(
            "aborting response for blob {} at byte {}: {}", info.digest(), position, e.toString());
        closeQuietly(file);
        ctx.channel().close();
        return;
      }
      position += chunk.readableBytes();
      ctx.writeAndFlush(new DefaultHttpContent(chunk))
          .addListener(
              written -> {
                if (written.isSuccess()) {
                  readNextOnDisk();
                } else {
                  closeQuietly(file);
                  ctx.channel().close();
                }
              });
    }

    private void readNextOnDisk() {
      try {
        disk.execute(this::next);
      } catch (RejectedExecutionException shuttingDown) {
        closeQuietly(file);
        ctx.channel().close();
      }
    }

    private ByteBuf read(int length) throws IOException {
      ByteBuf buffer = ctx.alloc().ioBuffer(length);
      try {
        while (buffer.readableBytes() < length) {
          int wanted = length - buffer.readableBytes();
          if (buffer.writeBytes(file, position + buffer.readableBytes(), wanted) <= 0) {
            throw new EOFException("blob file ends before byte " + (position + length));
          }
        }
        return buffer;
      } catch (IOException | RuntimeException e) {
        buffer.release();
        throw e;
      }
    }
  }

  private static void closeQuietly(FileChannel file) {
    try {
      file.close();
    } catch (IOException ignored) {
      // read-only handle
    }
  }
}
