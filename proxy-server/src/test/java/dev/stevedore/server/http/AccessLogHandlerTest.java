package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.cache.CacheOutcome;
import dev.stevedore.server.metrics.MeterNames;
import dev.stevedore.server.metrics.StevedoreMetrics;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The response side of a {@link RequestContext}: common headers, the metric and in-flight count.
 */
class AccessLogHandlerTest {
  private final StevedoreMetrics metrics = new StevedoreMetrics();
  private final InFlightRequests inFlight = new InFlightRequests();

  /** Stands in for the router: opens the request's context as it would. */
  private static final class Router extends ChannelInboundHandlerAdapter {
    private final Optional<String> namespace;

    Router(Optional<String> namespace) {
      this.namespace = namespace;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      RequestContext context = RequestContext.open(ctx.channel(), (HttpRequest) message);
      context.routed(Route.Kind.MANIFEST);
      context.upstream(namespace, namespace.orElse("docker.io"));
      context.outcome(CacheOutcome.HIT);
    }
  }

  private EmbeddedChannel channel(Optional<String> namespace) {
    return new EmbeddedChannel(new AccessLogHandler(metrics, inFlight), new Router(namespace));
  }

  private static HttpRequest get(String uri) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
  }

  @Test
  void everyResponse_carriesNosniff_evenWithoutARequest() {
    EmbeddedChannel channel = new EmbeddedChannel(new AccessLogHandler(metrics, inFlight));
    channel.writeOutbound(Responses.json(HttpResponseStatus.NOT_FOUND, "{}", false));
    channel.writeOutbound(
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST));

    FullHttpResponse error = channel.readOutbound();
    HttpResponse bare = channel.readOutbound();
    assertThat(error.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(bare.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(error.headers().contains("OCI-Namespace")).isFalse();
    error.release();
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ghcr.io", ""})
  void namespaceOfTheRequest_isAnswered_andOnlyThen(String ns) {
    Optional<String> namespace = Optional.of(ns).filter(name -> !name.isEmpty());
    EmbeddedChannel channel = channel(namespace);
    channel.writeInbound(get("/v2/library/alpine/manifests/3.19?ns=" + ns));

    channel.writeOutbound(Responses.json(HttpResponseStatus.OK, "{}", false));

    FullHttpResponse response = channel.readOutbound();
    assertThat(Optional.ofNullable(response.headers().get("OCI-Namespace"))).isEqualTo(namespace);
    assertThat(response.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
    response.release();
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void answeredRequest_isMeteredFromItsContext_andNoLongerInFlight() {
    EmbeddedChannel channel = channel(Optional.empty());
    channel.writeInbound(get("/v2/library/alpine/manifests/3.19"));
    assertThat(inFlight.count()).isEqualTo(1);

    channel.writeOutbound(Responses.json(HttpResponseStatus.OK, "{}", false));

    Timer timer =
        metrics
            .registry()
            .find(MeterNames.REQUESTS.meterName())
            .tags("route", "manifest", "method", "GET", "status", "200", "outcome", "hit")
            .timer();
    assertThat(timer).isNotNull();
    assertThat(timer.count()).isEqualTo(1);
    assertThat(inFlight.count()).isZero();
    ((FullHttpResponse) channel.readOutbound()).release();
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }

  @Test
  void responseCutOffByTheClient_beforeItsEnd_isStillMetered() {
    EmbeddedChannel channel = channel(Optional.empty());
    channel.writeInbound(get("/v2/library/alpine/blobs/sha256:" + "0".repeat(64)));
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().setInt("Content-Length", 3);
    channel.writeOutbound(head);
    channel.writeOutbound(
        new io.netty.handler.codec.http.DefaultHttpContent(
            io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));

    channel.close(); // the client has its bytes and hangs up before the end is written

    Timer timer =
        metrics
            .registry()
            .find(MeterNames.REQUESTS.meterName())
            .tags("route", "manifest", "method", "GET", "status", "200")
            .timer();
    assertThat(timer).isNotNull();
    assertThat(timer.count()).isEqualTo(1);
    assertThat(inFlight.count()).isZero();
    channel.writeAndFlush(io.netty.handler.codec.http.LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(timer.count()).as("the end written too late is not counted twice").isEqualTo(1);
    channel.finishAndReleaseAll();
  }
}
