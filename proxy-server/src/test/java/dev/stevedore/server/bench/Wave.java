package dev.stevedore.server.bench;

import dev.stevedore.server.it.support.Upstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One wave: N clients created up front, released together by a latch, each pulling the image once.
 * The wall time runs from the release to the last client's end; the upstream's counters are reset
 * before the release and read after the wave.
 */
final class Wave {

  /** One client's pull of the image; closed after the wave. */
  interface ImagePull extends AutoCloseable {
    void pull() throws Exception;

    @Override
    default void close() {}
  }

  /** Makes the client with the given index (0-based). */
  interface ClientFactory {
    ImagePull client(int index) throws Exception;
  }

  /** The outcome of a wave. */
  record Result(
      String label,
      int clients,
      Duration wall,
      List<Duration> perClient,
      List<String> failures,
      UpstreamCounts upstream,
      Duration upstreamDone,
      Map<String, Duration> cpu) {

    Result {
      perClient = List.copyOf(perClient);
      failures = List.copyOf(failures);
      cpu = Collections.unmodifiableMap(new LinkedHashMap<>(cpu));
    }

    Duration cpuTotal() {
      return cpu.values().stream().reduce(Duration.ZERO, Duration::plus);
    }

    Duration fastest() {
      return perClient.isEmpty() ? Duration.ZERO : Collections.min(perClient);
    }

    Duration median() {
      if (perClient.isEmpty()) {
        return Duration.ZERO;
      }
      List<Duration> sorted = new ArrayList<>(perClient);
      Collections.sort(sorted);
      return sorted.get(sorted.size() / 2);
    }

    Duration slowest() {
      return perClient.isEmpty() ? Duration.ZERO : Collections.max(perClient);
    }
  }

  /** A pause before reading the counters, so the front's last log lines and byte counts land. */
  private static final Duration SETTLE = Duration.ofMillis(250);

  /** A wave that takes longer has hung; its unfinished clients count as failed. */
  private static final Duration WAVE_TIMEOUT = Duration.ofMinutes(15);

  private Wave() {}

  static Result run(
      String label, int clients, ClientFactory factory, Upstream upstream, CpuMeter cpu)
      throws Exception {
    List<ImagePull> pulls = new ArrayList<>();
    AtomicInteger threadCount = new AtomicInteger();
    ExecutorService threads =
        Executors.newFixedThreadPool(
            clients,
            runnable -> {
              Thread thread = new Thread(runnable, "wave-client-" + threadCount.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    try {
      for (int i = 0; i < clients; i++) {
        int index = i;
        pulls.add(cpu.attribute(CpuMeter.CLIENTS, () -> factory.client(index)));
      }
      CountDownLatch ready = new CountDownLatch(clients);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Duration>> outcomes = new ArrayList<>();
      for (ImagePull pull : pulls) {
        outcomes.add(
            threads.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  long start = System.nanoTime();
                  pull.pull();
                  return Duration.ofNanos(System.nanoTime() - start);
                }));
      }
      ready.await();
      upstream.resetCounters();
      CpuMeter.Snapshot cpuAtStart = cpu.snapshot();
      long start = System.nanoTime();
      UpstreamWatch watch = UpstreamWatch.start(upstream, start);
      go.countDown();
      List<Duration> times = new ArrayList<>();
      List<String> failures = new ArrayList<>();
      long deadline = start + WAVE_TIMEOUT.toNanos();
      for (int i = 0; i < outcomes.size(); i++) {
        try {
          times.add(outcomes.get(i).get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS));
        } catch (ExecutionException e) {
          failures.add("client " + (i + 1) + ": " + e.getCause());
        } catch (TimeoutException e) {
          failures.add("client " + (i + 1) + ": not done after " + WAVE_TIMEOUT);
        }
      }
      Duration wall = Duration.ofNanos(System.nanoTime() - start);
      Map<String, Duration> cpuUse = cpu.between(cpuAtStart, cpu.snapshot());
      Thread.sleep(SETTLE.toMillis());
      return new Result(
          label, clients, wall, times, failures, UpstreamCounts.of(upstream), watch.stop(), cpuUse);
    } finally {
      threads.shutdownNow();
      pulls.forEach(ImagePull::close);
    }
  }

  /** Notes when the CDN last sent bytes: the moment the upstream download ended. */
  private static final class UpstreamWatch {
    private final long start;
    private final Thread thread;
    private volatile long lastChange;
    private volatile boolean stopped;

    private UpstreamWatch(Upstream upstream, long start) {
      this.start = start;
      this.lastChange = start;
      this.thread = new Thread(() -> watch(upstream), "wave-upstream-watch");
      this.thread.setDaemon(true);
    }

    static UpstreamWatch start(Upstream upstream, long start) {
      UpstreamWatch watch = new UpstreamWatch(upstream, start);
      watch.thread.start();
      return watch;
    }

    private void watch(Upstream upstream) {
      long seen = upstream.front().cdnBytes();
      while (!stopped) {
        long now = upstream.front().cdnBytes();
        if (now != seen) {
          seen = now;
          lastChange = System.nanoTime();
        }
        LockSupport.parkNanos(2_000_000);
      }
    }

    /** Time from the wave's start to the CDN's last byte (zero when it sent nothing). */
    Duration stop() throws InterruptedException {
      stopped = true;
      thread.join();
      return Duration.ofNanos(lastChange - start);
    }
  }
}
