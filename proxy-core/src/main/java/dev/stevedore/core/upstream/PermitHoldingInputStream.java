package dev.stevedore.core.upstream;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A download's body that holds its upstream connection permit until the body is read to the end or
 * closed, whichever comes first, so the connection cap counts downloads still streaming.
 */
final class PermitHoldingInputStream extends FilterInputStream {

  private final ConnectionLimiter.Permit permit;

  PermitHoldingInputStream(InputStream in, ConnectionLimiter.Permit permit) {
    super(in);
    this.permit = permit;
  }

  @Override
  public int read() throws IOException {
    return releasedAtEnd(in.read());
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int read = in.read(buffer, offset, length);
    return length == 0 ? read : releasedAtEnd(read);
  }

  @Override
  public void close() throws IOException {
    try {
      in.close();
    } finally {
      permit.release();
    }
  }

  private int releasedAtEnd(int read) {
    if (read < 0) {
      permit.release();
    }
    return read;
  }
}
