package dev.stevedore.storage;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * A committed blob read from the object store. It starts with the stream of the {@code GET} that
 * opened it, so a blob sent from start to end costs one request; a read elsewhere drops that stream
 * and opens a ranged {@code GET} from the new position ({@code If-Match} its ETag). It has no
 * {@link #fileChannel()}, so a server sends its bytes in chunks.
 *
 * <p>Deletion: a stream already open keeps delivering the object it started on, as S3 serves a
 * {@code GET} from the version it began with; a ranged {@code GET} opened after the deletion fails.
 * Reads are synchronized: one stream, one position.
 */
final class S3BlobReader extends CommittedBlobReader {
  private static final int COPY_CHUNK = 64 * 1024;

  private final S3Client s3;
  private final S3Layout layout;
  private final String etag;
  private ResponseInputStream<GetObjectResponse> stream;
  private long streamPosition;
  private boolean closed;

  private S3BlobReader(
      S3Client s3, S3Layout layout, Digest digest, ResponseInputStream<GetObjectResponse> stream) {
    super(digest, stream.response().contentLength());
    this.s3 = s3;
    this.layout = layout;
    this.stream = stream;
    this.etag = stream.response().eTag();
  }

  /** Opens the blob with one {@code GET}; empty when the store does not hold it. */
  static Optional<BlobReader> open(S3Client s3, S3Layout layout, Digest digest) throws IOException {
    Objects.requireNonNull(digest, "digest");
    String key = layout.blob(digest);
    GetObjectRequest request = GetObjectRequest.builder().bucket(layout.bucket()).key(key).build();
    return S3Calls.ifPresent("GET", key, () -> s3.getObject(request))
        .map(stream -> new S3BlobReader(s3, layout, digest, stream));
  }

  @Override
  public synchronized int read(ByteBuffer dst, long position) throws IOException {
    if (closed) {
      throw new IOException("reader of blob " + digest() + " is closed");
    }
    long wanted = Math.min(dst.remaining(), size() - position);
    if (wanted <= 0) {
      return 0;
    }
    if (stream == null || streamPosition != position) {
      reopenAt(position);
    }
    byte[] chunk = new byte[(int) Math.min(COPY_CHUNK, wanted)];
    int total = 0;
    while (total < wanted) {
      int read = stream.read(chunk, 0, (int) Math.min(chunk.length, wanted - total));
      if (read < 0) {
        dropStream();
        throw new EOFException("blob " + digest() + " ends before byte " + (position + wanted));
      }
      dst.put(chunk, 0, read);
      total += read;
      streamPosition += read;
    }
    return total;
  }

  private void reopenAt(long position) throws IOException {
    dropStream();
    String key = layout.blob(digest());
    GetObjectRequest request =
        GetObjectRequest.builder()
            .bucket(layout.bucket())
            .key(key)
            .range("bytes=" + position + "-")
            .ifMatch(etag)
            .build();
    stream =
        S3Calls.ifPresent("ranged GET", key, () -> s3.getObject(request))
            .orElseThrow(
                () -> new EOFException("blob " + digest() + " was removed from the store"));
    streamPosition = position;
  }

  /** Aborts rather than drains: the rest of a big blob is not worth reading to reuse a socket. */
  private void dropStream() {
    if (stream != null) {
      stream.abort();
      try {
        stream.close();
      } catch (IOException ignored) {
        // aborted already: nothing to release
      }
      stream = null;
    }
  }

  @Override
  public Optional<FileChannel> fileChannel() {
    return Optional.empty();
  }

  @Override
  public synchronized void close() {
    closed = true;
    dropStream();
  }
}
