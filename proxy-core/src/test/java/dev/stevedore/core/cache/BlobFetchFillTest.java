package dev.stevedore.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

class BlobFetchFillTest {

  /** Like the JDK HTTP client's body stream: one received buffer per read; the rest not yet in. */
  private static final class ArrivingChunks extends InputStream {
    private final Deque<byte[]> arrived = new ArrayDeque<>();
    private byte[] current = new byte[0];
    private int position;
    private boolean ended;
    int reads;

    void arrive(int size) {
      arrived.add(new byte[size]);
    }

    @Override
    public int read() {
      throw new UnsupportedOperationException("byte at a time");
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      reads++;
      if (position == current.length) {
        if (arrived.isEmpty()) {
          if (ended) {
            return -1;
          }
          throw new AssertionError("fill waited for bytes that had not arrived");
        }
        current = arrived.poll();
        position = 0;
      }
      int count = Math.min(length, current.length - position);
      position += count;
      return count;
    }

    @Override
    public int available() {
      return position < current.length ? current.length - position : arrived.isEmpty() ? 0 : 1;
    }
  }

  @Test
  void takesEverythingAlreadyArrived_inOneWrite() throws IOException {
    ArrivingChunks in = new ArrivingChunks();
    for (int i = 0; i < 5; i++) {
      in.arrive(16 * 1024);
    }

    assertThat(BlobFetch.fill(in, new byte[128 * 1024])).isEqualTo(80 * 1024);
  }

  @Test
  void stopsAtAFullBuffer() throws IOException {
    ArrivingChunks in = new ArrivingChunks();
    for (int i = 0; i < 10; i++) {
      in.arrive(16 * 1024);
    }
    byte[] buffer = new byte[128 * 1024];

    assertThat(BlobFetch.fill(in, buffer)).isEqualTo(128 * 1024);
    assertThat(BlobFetch.fill(in, buffer)).isEqualTo(32 * 1024);
  }

  @Test
  void neverWaitsForMore_whenSomethingWasRead() throws IOException {
    ArrivingChunks in = new ArrivingChunks();
    in.arrive(1000);

    assertThat(BlobFetch.fill(in, new byte[128 * 1024])).isEqualTo(1000);
  }

  @Test
  void theEnd_isMinusOneAfterTheLastBytes() throws IOException {
    ArrivingChunks in = new ArrivingChunks();
    in.arrive(10);
    in.ended = true;
    byte[] buffer = new byte[64];

    assertThat(BlobFetch.fill(in, buffer)).isEqualTo(10);
    assertThat(BlobFetch.fill(in, buffer)).isEqualTo(-1);
  }
}
