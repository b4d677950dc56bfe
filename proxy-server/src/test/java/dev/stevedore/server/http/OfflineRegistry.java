package dev.stevedore.server.http;

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
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.stream.Stream;

/**
 * The real registry services over an empty cache in a temporary directory, with an offline {@code
 * docker.io} upstream and every task run on the calling thread: what the request fuzzers put behind
 * the HTTP codec in an {@link EmbeddedChannel}, so a whole exchange is synchronous.
 */
final class OfflineRegistry implements AutoCloseable {
  private static final Executor SAME_THREAD = Runnable::run;

  private final Path dataDir;
  private final RegistryServices services;

  private OfflineRegistry(Path dataDir, RegistryServices services) {
    this.dataDir = dataDir;
    this.services = services;
  }

  static OfflineRegistry open() throws IOException {
    Path dataDir = Files.createTempDirectory("stevedore-fuzz");
    FileSystemBlobStore blobs = FileSystemBlobStore.open(dataDir);
    return new OfflineRegistry(
        dataDir,
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
            address -> "<html></html>"));
  }

  RegistryServices services() {
    return services;
  }

  /**
   * Writes {@code request} into {@code channel}, runs what it scheduled and returns every byte it
   * wrote back (ISO-8859-1, so any byte survives); the channel is finished and its buffers
   * released.
   */
  static String exchange(EmbeddedChannel channel, byte[] request) {
    try {
      channel.writeInbound(Unpooled.wrappedBuffer(request));
      channel.runPendingTasks();
      StringBuilder answer = new StringBuilder();
      Object message;
      while ((message = channel.readOutbound()) != null) {
        if (message instanceof ByteBuf buffer) {
          answer.append(buffer.toString(StandardCharsets.ISO_8859_1));
        }
        ReferenceCountUtil.release(message);
      }
      return answer.toString();
    } finally {
      channel.finishAndReleaseAll();
    }
  }

  /** Deletes the cache directory. */
  @Override
  public void close() throws IOException {
    try (Stream<Path> paths = Files.walk(dataDir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }
}
