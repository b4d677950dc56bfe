package dev.stevedore.core.cache;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;

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

  /** Reads a source the way the server does: a stored file, or the growing file of a fetch. */
  static byte[] readAll(BlobSource source) throws Exception {
    if (source instanceof StoredBlob stored) {
      return Files.readAllBytes(stored.info().path());
    }
    BlobFetch fetch = (BlobFetch) source;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (FileChannel file = fetch.openChannel()) {
      ByteBuffer buffer = ByteBuffer.allocate(8192);
      long position = 0;
      while (true) {
        buffer.clear();
        int read = file.read(buffer, position);
        if (read > 0) {
          out.write(buffer.array(), 0, read);
          position += read;
        } else if (fetch.done().isDone() && position >= fetch.available()) {
          break;
        } else {
          fetch.awaitBeyond(position).join();
        }
      }
    }
    fetch.done().join();
    return out.toByteArray();
  }
}
