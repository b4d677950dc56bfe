package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.cache.BlobService;
import dev.stevedore.core.cache.ManifestService;
import dev.stevedore.core.cache.StoredManifests;
import dev.stevedore.core.upstream.OfflineUpstream;
import dev.stevedore.core.upstream.Upstreams;
import dev.stevedore.server.HealthCheck;
import dev.stevedore.server.metrics.StevedoreMetrics;
import dev.stevedore.storage.FileSystemBlobStore;
import dev.stevedore.storage.FileSystemMediaTypeStore;
import dev.stevedore.storage.FileSystemTagStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
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
  private static final Executor SAME_THREAD = Runnable::run;
  private static Path dataDir;
  private static RegistryServices services;

  @BeforeContainer
  static void openCache() throws Exception {
    dataDir = Files.createTempDirectory("stevedore-fuzz");
    FileSystemBlobStore blobs = FileSystemBlobStore.open(dataDir);
    services =
        new RegistryServices(
            new Upstreams(Map.of("docker.io", new OfflineUpstream("docker.io")), "docker.io"),
            new ManifestService(
                new StoredManifests(blobs, FileSystemMediaTypeStore.open(dataDir)),
                FileSystemTagStore.open(dataDir),
                SAME_THREAD,
                Clock.systemUTC(),
                Duration.ofMinutes(5)),
            new BlobService(blobs, SAME_THREAD, SAME_THREAD),
            SAME_THREAD,
            new StevedoreMetrics(),
            new HealthCheck(blobs, SAME_THREAD),
            () -> "<html></html>");
  }

  @AfterContainer
  static void removeCache() throws Exception {
    try (var paths = Files.walk(dataDir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
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
    EmbeddedChannel channel =
        new EmbeddedChannel(
            new HttpServerCodec(8192, 16384, 8192),
            new AccessLogHandler(services.metrics(), new InFlightRequests()),
            new HttpServerKeepAliveHandler(),
            new RegistryRequestHandler(services));
    try {
      channel.writeInbound(Unpooled.wrappedBuffer(request));
      channel.runPendingTasks();
      StringBuilder out = new StringBuilder();
      Object message;
      while ((message = channel.readOutbound()) != null) {
        if (message instanceof ByteBuf buffer) {
          out.append(buffer.toString(StandardCharsets.ISO_8859_1));
        }
        io.netty.util.ReferenceCountUtil.release(message);
      }
      return out.toString();
    } finally {
      channel.finishAndReleaseAll();
    }
  }
}
