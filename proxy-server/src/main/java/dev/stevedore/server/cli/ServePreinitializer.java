package dev.stevedore.server.cli;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.epoll.Epoll;

/**
 * Gives {@code serve} a head start: while the main thread reads the command line (picocli's
 * reflection, about a third of the time to the first answer), a daemon thread initialises the
 * libraries every {@code serve} needs whatever its flags say: Netty's native transport (its library
 * is unpacked and loaded) and HTTP codec, Micrometer's Prometheus registry, the shapes of Caffeine
 * cache that the stores and services build. Spring Boot's {@code BackgroundPreinitializer} does the
 * same for its start. {@code serve} waits for it ({@link #await}) before it touches any of them, so
 * no class is ever initialised by two threads at once; what the thread makes is thrown away.
 */
final class ServePreinitializer {
  private static final String[] CLASSES = {
    "io.netty.channel.epoll.EpollEventLoopGroup",
    "io.netty.channel.epoll.EpollServerSocketChannel",
    "io.netty.channel.epoll.EpollSocketChannel",
    "io.netty.bootstrap.ServerBootstrap",
    "io.netty.handler.codec.http.HttpServerCodec",
    "io.netty.handler.codec.http.DefaultHttpHeaders",
    "io.netty.handler.codec.http.HttpResponseStatus",
    "io.netty.channel.group.DefaultChannelGroup",
    "io.netty.util.concurrent.GlobalEventExecutor",
  };

  private static Thread running;

  private ServePreinitializer() {}

  /** Starts the thread, once. */
  static synchronized void start() {
    if (running == null) {
      running = new Thread(ServePreinitializer::run, "stevedore-preinit");
      running.setDaemon(true);
      running.start();
    }
  }

  /** Returns once the thread, if one was started, is done. */
  static void await() throws InterruptedException {
    Thread thread;
    synchronized (ServePreinitializer.class) {
      thread = running;
    }
    if (thread != null) {
      thread.join();
    }
  }

  private static void run() {
    try {
      Epoll.isAvailable();
      PooledByteBufAllocator.defaultNumDirectArena();
      for (String name : CLASSES) {
        Class.forName(name, true, ServePreinitializer.class.getClassLoader());
      }
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT).close();
      Caffeine.newBuilder().maximumSize(1).build();
      Caffeine.newBuilder().maximumWeight(1).<Object, Object>weigher((key, value) -> 1).build();
      Caffeine.newBuilder().weakKeys().build();
      ProcessHandle.current().info().startInstant();
    } catch (Exception | LinkageError e) {
      // Only a head start: serve meets the same failure itself and reports it.
    }
  }
}
