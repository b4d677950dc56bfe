package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pipelined requests reach the handlers behind one at a time, each after the previous answer. */
class PipeliningHandlerTest {
  /** What the handlers behind saw: request URIs, and "body" for each body content. */
  private final List<String> seen = new ArrayList<>();

  private final EmbeddedChannel channel =
      new EmbeddedChannel(
          new PipeliningHandler(),
          new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object message) {
              if (message instanceof HttpRequest request) {
                seen.add(request.uri());
              } else if (message instanceof HttpContent) {
                seen.add("body");
              }
              ReferenceCountUtil.release(message);
            }
          });

  @AfterEach
  void noLeaks() {
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }

  private static FullHttpRequest get(String uri) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
  }

  private void answer() {
    channel.writeOutbound(Responses.json(HttpResponseStatus.OK, "{}", false));
    channel.runPendingTasks();
    ReferenceCountUtil.release(channel.readOutbound());
  }

  @Test
  void pipelinedRequests_goOnOneAtATime_inOrder() {
    channel.writeInbound(get("/a"), get("/b"), get("/c"));

    assertThat(seen).containsExactly("/a");
    assertThat(channel.config().isAutoRead()).as("reading paused").isFalse();
    answer();
    assertThat(seen).containsExactly("/a", "/b");
    answer();
    assertThat(seen).containsExactly("/a", "/b", "/c");
    assertThat(channel.config().isAutoRead()).as("reading resumed").isTrue();
    answer();
    channel.writeInbound(get("/d"));
    assertThat(seen).containsExactly("/a", "/b", "/c", "/d");
  }

  @Test
  void streamedResponse_holdsTheNextRequestUntilItsLastContent() {
    channel.writeInbound(get("/blob"), get("/manifest"));

    channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    channel.writeOutbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[] {1, 2})));
    channel.runPendingTasks();
    assertThat(seen).containsExactly("/blob");

    channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
    channel.runPendingTasks();
    assertThat(seen).containsExactly("/blob", "/manifest");
    releaseOutbound();
  }

  @Test
  void bodyOfTheRequestInProgress_goesOn_bodyOfAWaitingRequestWaitsWithIt() {
    HttpRequest put = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/put");
    HttpRequest next = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/next");
    channel.writeInbound(put, content(), new DefaultLastHttpContent(), next, content());

    assertThat(seen).containsExactly("/put", "body", "body");
    answer();
    assertThat(seen).containsExactly("/put", "body", "body", "/next", "body");
    channel.writeInbound(new DefaultLastHttpContent());
    assertThat(seen).containsExactly("/put", "body", "body", "/next", "body", "body");
  }

  @Test
  void answerBeforeTheBodyEnds_theRestOfTheBodyAndTheNextRequestGoOn() {
    channel.writeInbound(
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/put"), content());
    answer();
    channel.writeInbound(new DefaultLastHttpContent(), get("/next"));

    assertThat(seen).containsExactly("/put", "body", "body", "/next");
  }

  @Test
  void closedConnection_releasesTheWaitingRequests() {
    FullHttpRequest waiting = get("/waiting");
    channel.writeInbound(get("/first"), waiting);

    channel.close();

    assertThat(waiting.refCnt()).isZero();
    assertThat(seen).containsExactly("/first");
  }

  private static HttpObject content() {
    return new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[] {7}));
  }

  private void releaseOutbound() {
    Object message;
    while ((message = channel.readOutbound()) != null) {
      ReferenceCountUtil.release(message);
    }
  }
}
