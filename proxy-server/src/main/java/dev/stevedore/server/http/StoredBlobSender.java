package dev.stevedore.server.http;

import dev.stevedore.core.cache.Futures;
import dev.stevedore.storage.BlobInfo;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executor;

/**
 * Sends a committed blob file zero-copy ({@link DefaultFileRegion}). The file is opened on the disk
 * executor; the event loop only hands the region to the kernel.
 */
final class StoredBlobSender {
  private StoredBlobSender() {}

  static void send(
      ChannelHandlerContext ctx, BlobInfo info, ByteRange.Request range, Executor disk) {
    long size = info.size();
    long first = range instanceof ByteRange.Partial partial ? partial.range().first() : 0;
    long length = range instanceof ByteRange.Partial partial ? partial.range().length() : size;
    Futures.supplyBlocking(() -> FileChannel.open(info.path(), StandardOpenOption.READ), disk)
        .whenComplete(
            (file, error) -> {
              if (error != null) {
                Responses.send(ctx, ErrorResponses.of(error, false));
                return;
              }
              ctx.write(BlobHeaders.of(info.digest(), size, range));
              if (length > 0) {
                ctx.write(new DefaultFileRegion(file, first, length));
              } else {
                closeQuietly(file);
              }
              ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                  .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            });
  }

  private static void closeQuietly(FileChannel file) {
    try {
      file.close();
    } catch (java.io.IOException ignored) {
      // nothing was read from it
    }
  }
}
