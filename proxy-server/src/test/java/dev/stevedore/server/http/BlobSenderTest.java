package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.stevedore.storage.BlobReader;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.BlobWriter;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.DigestMismatchException;
import dev.stevedore.storage.FileSystemBlobStore;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one blob sender, driven on an {@link EmbeddedChannel} with the "disk executor" running tasks
 * in place: stored blobs go as one region with their head and end; a growing blob's last byte waits
 * for the commit, and a blob that fails verification never ends its response.
 */
class BlobSenderTest {
  private static final Executor IN_PLACE = Runnable::run;

  @TempDir Path data;
  private BlobStore store;
  private EmbeddedChannel channel;
  private ChannelHandlerContext ctx;

  @BeforeEach
  void open() throws IOException {
    store = FileSystemBlobStore.open(data);
    channel =
        new EmbeddedChannel(
            new ChannelInboundHandlerAdapter() {
              @Override
              public void handlerAdded(ChannelHandlerContext added) {
                ctx = added;
              }
            });
  }

  /** What the client received: the head, the body, and whether the response ended. */
  private record Received(HttpResponse head, byte[] body, boolean ended, int parts) {}

  private Received received() throws IOException {
    channel.runPendingTasks();
    HttpResponse head = null;
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    WritableByteChannel sink = Channels.newChannel(body);
    boolean ended = false;
    int parts = 0;
    Object message;
    while ((message = channel.readOutbound()) != null) {
      try {
        if (message instanceof HttpResponse response) {
          head = response;
        } else if (message instanceof FileRegion region) {
          parts++;
          while (region.transferred() < region.count()) {
            region.transferTo(sink, region.transferred());
          }
        } else if (message instanceof HttpContent content) {
          if (content.content().isReadable()) {
            parts++;
          }
          content.content().readBytes(body, content.content().readableBytes());
          ended |= message instanceof LastHttpContent;
        } else {
          fail("unexpected outbound message " + message);
        }
      } finally {
        ReferenceCountUtil.release(message);
      }
    }
    return new Received(head, body.toByteArray(), ended, parts);
  }

  private Digest storeBlob(byte[] content) throws IOException {
    Digest digest = Digest.sha256(content);
    try (BlobWriter writer = store.create(digest)) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit();
    }
    return digest;
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  @Test
  void storedBlob_plain_isOneRegionWithItsHeadAndEnd_thenTheReaderCloses() throws IOException {
    byte[] content = random(300_000);
    BlobReader reader = store.open(storeBlob(content)).orElseThrow();
    FileChannel file = reader.fileChannel().orElseThrow();

    BlobSender.send(ctx, reader, new ByteRange.Whole(), IN_PLACE);
    Received got = received();

    assertThat(got.head().status()).isEqualTo(HttpResponseStatus.OK);
    assertThat(got.head().headers().get(Responses.DIGEST_HEADER))
        .isEqualTo(Digest.sha256(content).toString());
    assertThat(got.parts()).isEqualTo(1);
    assertThat(got.body()).isEqualTo(content);
    assertThat(got.ended()).isTrue();
    assertThat(file.isOpen()).as("closed with its region").isFalse();
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void storedBlob_range_isThosePartialBytes() throws IOException {
    byte[] content = random(10_000);
    BlobReader reader = store.open(storeBlob(content)).orElseThrow();

    BlobSender.send(
        ctx, reader, ByteRange.parse(Optional.of("bytes=100-199"), content.length), IN_PLACE);
    Received got = received();

    assertThat(got.head().status()).isEqualTo(HttpResponseStatus.PARTIAL_CONTENT);
    assertThat(got.body()).isEqualTo(Arrays.copyOfRange(content, 100, 200));
    assertThat(got.ended()).isTrue();
  }

  @Test
  void storedBlob_withoutALocalFile_isSentInChunks() throws IOException {
    byte[] content = random(200_000);
    BlobReader reader = new WithoutFile(store.open(storeBlob(content)).orElseThrow());

    BlobSender.send(ctx, reader, new ByteRange.Whole(), IN_PLACE);
    Received got = received();

    assertThat(got.parts()).isEqualTo(4); // 64 KiB chunks
    assertThat(got.body()).isEqualTo(content);
    assertThat(got.ended()).isTrue();
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void growingBlob_lastByteWaitsForTheCommit() throws IOException {
    byte[] content = random(100_000);
    Digest digest = Digest.sha256(content);
    BlobWriter writer = store.create(digest, content.length);
    writer.write(ByteBuffer.wrap(content));

    BlobSender.send(ctx, writer.openReader(), new ByteRange.Whole(), IN_PLACE);
    Received before = received();

    assertThat(before.head().headers().get(HttpHeaderNames.CONTENT_LENGTH))
        .isEqualTo(String.valueOf(content.length));
    assertThat(before.head().headers().get(Responses.DIGEST_HEADER)).isEqualTo(digest.toString());
    assertThat(before.body()).hasSize(content.length - 1);
    assertThat(before.ended()).isFalse();

    writer.commit();
    Received after = received();

    assertThat(after.body()).containsExactly(content[content.length - 1]);
    assertThat(after.ended()).isTrue();
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void growingBlob_thatFailsVerification_neverEnds_andTheConnectionCloses() throws IOException {
    byte[] wrong = random(50_000);
    Digest promised = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));
    BlobWriter writer = store.create(promised, wrong.length);
    writer.write(ByteBuffer.wrap(wrong));

    BlobSender.send(ctx, writer.openReader(), new ByteRange.Whole(), IN_PLACE);
    Received before = received();
    assertThatThrownBy(writer::commit).isInstanceOf(DigestMismatchException.class);
    Received after = received();

    assertThat(before.body()).hasSize(wrong.length - 1);
    assertThat(after.body()).isEmpty();
    assertThat(before.ended() || after.ended()).isFalse();
    assertThat(channel.isActive()).isFalse();
  }

  @Test
  void growingBlob_rangeBeforeTheLastByte_goesAsItArrives_withoutNamingTheDigest()
      throws IOException {
    byte[] content = random(20_000);
    BlobWriter writer = store.create(Digest.sha256(content), content.length);
    writer.write(ByteBuffer.wrap(content, 0, 5_000));

    BlobSender.send(
        ctx,
        writer.openReader(),
        ByteRange.parse(Optional.of("bytes=0-999"), content.length),
        IN_PLACE);
    Received got = received();

    assertThat(got.head().headers().contains(Responses.DIGEST_HEADER)).isFalse();
    assertThat(got.body()).isEqualTo(Arrays.copyOf(content, 1000));
    assertThat(got.ended()).isTrue();
    writer.cancel();
  }

  @Test
  void growingBlob_ofUnknownSize_isChunked_andEndsOnlyOnceVerified() throws IOException {
    byte[] content = random(30_000);
    BlobWriter writer = store.create(Digest.sha256(content));
    writer.write(ByteBuffer.wrap(content));

    BlobSender.send(ctx, writer.openReader(), new ByteRange.Whole(), IN_PLACE);
    Received before = received();

    assertThat(before.head().headers().get(HttpHeaderNames.TRANSFER_ENCODING)).isEqualTo("chunked");
    assertThat(before.body()).isEqualTo(content);
    assertThat(before.ended()).isFalse();

    writer.commit();

    assertThat(received().ended()).isTrue();
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }

  /** A reader whose bytes are not in a local file (as an object store's would be). */
  private record WithoutFile(BlobReader reader) implements BlobReader {
    @Override
    public Digest digest() {
      return reader.digest();
    }

    @Override
    public long size() {
      return reader.size();
    }

    @Override
    public long readable() {
      return reader.readable();
    }

    @Override
    public boolean verified() {
      return reader.verified();
    }

    @Override
    public boolean failed() {
      return reader.failed();
    }

    @Override
    public CompletionStage<Void> awaitReadable(long position) {
      return reader.awaitReadable(position);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return reader.read(dst, position);
    }

    @Override
    public Optional<FileChannel> fileChannel() {
      return Optional.empty();
    }

    @Override
    public void close() {
      reader.close();
    }
  }
}
