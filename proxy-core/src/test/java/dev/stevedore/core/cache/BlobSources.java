package dev.stevedore.core.cache;

import dev.stevedore.storage.BlobReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Reads blob sources in tests the way the server does. */
final class BlobSources {
  private BlobSources() {}

  static byte[] readAllUnchecked(BlobSource source) {
    try {
      return readAll(source);
    } catch (Exception e) {
      throw new java.util.concurrent.CompletionException(e);
    }
  }

  /**
   * Reads a source the way the server does: a stored blob's reader, or a reader of a fetch's
   * growing blob, waiting for more until it verified (or failed: then it throws).
   */
  static byte[] readAll(BlobSource source) throws Exception {
    if (source instanceof StoredBlob stored) {
      try (stored) {
        return stored.reader().readAllBytes();
      }
    }
    BlobFetch fetch = (BlobFetch) source;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (BlobReader reader = fetch.openReader()) {
      ByteBuffer buffer = ByteBuffer.allocate(8192);
      long position = 0;
      while (true) {
        buffer.clear();
        int read = reader.read(buffer, position);
        if (read > 0) {
          out.write(buffer.array(), 0, read);
          position += read;
        } else if (reader.verified() && position >= reader.readable()) {
          break;
        } else if (reader.failed()) {
          fetch.done().join(); // throws the download's failure
          throw new IOException("reader of " + fetch.digest() + " failed");
        } else {
          reader.awaitReadable(position).toCompletableFuture().join();
        }
      }
    }
    fetch.done().join();
    return out.toByteArray();
  }
}
