package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.testing.FakeTicker;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestDeadlineHandlerTest {
  /** The handler's clock, moved together with the embedded event loop's. */
  private final FakeTicker ticker = new FakeTicker();

  private final EmbeddedChannel channel =
      new EmbeddedChannel(new RequestDeadlineHandler(Duration.ofSeconds(10), ticker));

  private void advance(long seconds) {
    ticker.advance(Duration.ofSeconds(seconds));
    channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
  }

  private void request() {
    channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v2/"));
  }

  private void response() {
    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
  }

  @Test
  void noRequestHeadersInTime_closesTheConnection() {
    advance(11);

    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void requestInTime_keepsItOpenWhileAnswering_thenTheNextRequestHasItsOwnDeadline() {
    request();

    advance(30);
    assertThat(channel.isOpen()).isTrue();

    response();
    advance(11);

    assertThat(channel.isOpen()).isFalse();
    channel.finishAndReleaseAll();
  }

  @Test
  void aResponseNearTheOldDeadline_movesTheDeadlineToAFullTimeoutAfterIt() {
    advance(8);
    request();
    advance(1);
    response(); // waiting again since t=9: the deadline is t=19

    advance(2); // t=11: the first timer fires, finds a newer wait and waits the rest
    assertThat(channel.isOpen()).isTrue();
    advance(7); // t=18
    assertThat(channel.isOpen()).isTrue();

    advance(2); // t=20
    assertThat(channel.isOpen()).isFalse();
    channel.finishAndReleaseAll();
  }

  @Test
  void aResponseStillBeingSentAtTheDeadline_startsTheWaitWhenItEnds() {
    request();
    ChannelFuture sent =
        channel.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));

    advance(25); // far past the deadline while the response is still queued, unsent
    assertThat(sent.isDone()).isFalse();
    assertThat(channel.isOpen()).isTrue();

    channel.flush(); // the client finally takes it all
    assertThat(sent.isSuccess()).isTrue();
    advance(9);
    assertThat(channel.isOpen()).isTrue();
    advance(2);
    assertThat(channel.isOpen()).isFalse();
    channel.finishAndReleaseAll();
  }

  @Test
  void aBusyConnection_staysOpen_andClosesOneTimeoutAfterItsLastResponse() {
    for (int second = 0; second < 30; second++) {
      request();
      response();
      advance(1);
      assertThat(channel.isOpen()).isTrue();
    }

    advance(5);
    assertThat(channel.isOpen()).isTrue();
    advance(6);
    assertThat(channel.isOpen()).isFalse();
    channel.finishAndReleaseAll();
  }
}
