package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Whatever bytes a client sends, the server answers with a well-formed HTTP response that is never
 * a 500, or closes the connection; route and range parsing never throw.
 */
class RequestParsingProperties {
  private static OfflineRegistry registry;

  @BeforeContainer
  static void openCache() throws Exception {
    registry = OfflineRegistry.open();
  }

  @AfterContainer
  static void removeCache() throws Exception {
    registry.close();
  }

  @Provide
  Arbitrary<String> paths() {
    Arbitrary<String> segment =
        Arbitraries.oneOf(
            Arbitraries.of(
                "v2",
                "manifests",
                "blobs",
                "uploads",
                "tags",
                "list",
                "_catalog",
                "..",
                ".",
                "%2e%2e",
                "%00",
                "library",
                "alpine",
                "latest",
                "sha256:" + "a".repeat(64),
                "sha256:xyz",
                "UPPER",
                "a__b",
                "a--b",
                "",
                "referrers",
                "metrics",
                "readyz"),
            Arbitraries.strings().withChars("aZ09._-:%@~?&=#\\ ").ofMaxLength(12));
    return segment.list().ofMaxSize(8).map(parts -> "/" + String.join("/", parts));
  }

  @Provide
  Arbitrary<String> methods() {
    return Arbitraries.of("GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "BREW");
  }

  @Property(tries = 1500)
  void anyRequest_getsAWellFormedAnswerThatIsNever500(
      @ForAll("methods") String method,
      @ForAll("paths") String path,
      @ForAll("headerValues") String accept,
      @ForAll("headerValues") String range) {
    String request =
        method
            + " "
            + path.replace(" ", "%20").replace("#", "%23")
            + " HTTP/1.1\r\n"
            + "Host: stevedore\r\nAccept: "
            + accept
            + "\r\nRange: "
            + range
            + "\r\n\r\n";
    String answer = exchange(request.getBytes(StandardCharsets.ISO_8859_1));

    assertThat(answer).startsWith("HTTP/1.1 ");
    assertThat(answer.substring(9, 12)).isNotEqualTo("500");
  }

  @Property(tries = 1000)
  void garbageBytes_areAnsweredOrDropped_neverAThrownError(@ForAll byte[] bytes) {
    String answer = exchange(bytes);

    assertThat(answer.isEmpty() || answer.startsWith("HTTP/1.1 4")).as(answer).isTrue();
  }

  @Provide
  Arbitrary<String> headerValues() {
    return Arbitraries.oneOf(
        Arbitraries.of("bytes=0-10", "bytes=-5", "bytes=99999999999999999999-", "*/*", ""),
        Arbitraries.strings().withChars("abc,;=/-*+.09 ").ofMaxLength(40));
  }

  @Property(tries = 3000)
  void routeAndRangeParsing_neverThrow(
      @ForAll String path, @ForAll String header, @ForAll long size) {
    Route.parse(path);
    ByteRange.Request parsed = ByteRange.parse(Optional.of(header), Math.abs(size % 1_000_000));
    if (parsed instanceof ByteRange.Partial partial) {
      assertThat(partial.range().first())
          .isNotNegative()
          .isLessThanOrEqualTo(partial.range().last());
      assertThat(partial.range().last()).isLessThan(Math.abs(size % 1_000_000));
    }
  }

  private static String exchange(byte[] request) {
    RegistryServices services = registry.services();
    return OfflineRegistry.exchange(
        new EmbeddedChannel(
            new HttpServerCodec(8192, 16384, 8192),
            new AccessLogHandler(services.metrics(), new InFlightRequests()),
            new HttpServerKeepAliveHandler(),
            new RegistryRequestHandler(services)),
        request);
  }
}
