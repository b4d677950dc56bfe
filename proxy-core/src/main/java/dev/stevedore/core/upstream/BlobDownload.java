package dev.stevedore.core.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * A blob streaming from upstream: its length ({@code -1} when unknown) and the body, read as it
 * arrives and never buffered whole. The bytes are not verified here; the reader hashes them. Close
 * it to release the connection, whether or not the body was read to the end.
 */
public record BlobDownload(long contentLength, InputStream body) implements AutoCloseable {

  public BlobDownload {
    Objects.requireNonNull(body, "body");
  }

  @Override
  public void close() {
    try {
      body.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
