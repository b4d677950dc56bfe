package dev.stevedore.server.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the CPU went during a wave, by part: the clients, Stevedore, the upstream harness in this
 * JVM, the {@code docker-registry} child process, and the rest of the JVM (GC, JIT). Java threads
 * are told apart by name; the JDK HttpClient's threads ({@code HttpClient-N-...}) by which part
 * created client N (see {@link #attribute}). Threads that end during a wave lose their share to
 * "JVM other"; on 2 cores the total is at most 2 CPU-seconds per wall second. Processes other than
 * the registry (skopeo clients) are not counted.
 */
final class CpuMeter {
  static final String CLIENTS = "clients";
  static final String STEVEDORE = "Stevedore";
  static final String HARNESS = "upstream harness";
  static final String REGISTRY = "docker-registry";
  static final String JVM_OTHER = "JVM other (GC, JIT)";

  private static final Pattern HTTP_CLIENT_THREAD = Pattern.compile("(HttpClient-\\d+)-.*");

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final OperatingSystemMXBean os =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final Map<String, String> httpClientOwners = new ConcurrentHashMap<>();

  /** A moment's CPU clocks. */
  record Snapshot(
      Map<Long, Long> threadNanos, Map<Long, String> names, long process, long registry) {}

  /** Runs {@code creation} and charges the JDK HttpClients it creates to {@code part}. */
  <T> T attribute(String part, Callable<T> creation) throws Exception {
    Set<Long> before = liveThreadIds();
    T created = creation.call();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      Matcher matcher = HTTP_CLIENT_THREAD.matcher(thread.getName());
      if (!before.contains(thread.getId()) && matcher.matches()) {
        httpClientOwners.put(matcher.group(1), part);
      }
    }
    return created;
  }

  Snapshot snapshot() {
    Map<Long, Long> nanos = new HashMap<>();
    Map<Long, String> names = new HashMap<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      long cpu = threads.getThreadCpuTime(thread.getId());
      if (cpu >= 0) {
        nanos.put(thread.getId(), cpu);
        names.put(thread.getId(), thread.getName());
      }
    }
    long children =
        ProcessHandle.current()
            .descendants()
            .filter(child -> child.info().command().orElse("").endsWith("docker-registry"))
            .mapToLong(child -> child.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
            .sum();
    return new Snapshot(nanos, names, os.getProcessCpuTime(), children);
  }

  /** CPU time per part between two snapshots, in a fixed order. */
  Map<String, Duration> between(Snapshot start, Snapshot end) {
    Map<String, Long> parts = new LinkedHashMap<>();
    for (String part : new String[] {CLIENTS, STEVEDORE, HARNESS, JVM_OTHER, REGISTRY}) {
      parts.put(part, 0L);
    }
    long threadTotal = 0;
    for (Map.Entry<Long, Long> thread : end.threadNanos().entrySet()) {
      long used = thread.getValue() - start.threadNanos().getOrDefault(thread.getKey(), 0L);
      threadTotal += used;
      parts.merge(part(end.names().get(thread.getKey())), used, Long::sum);
    }
    parts.merge(JVM_OTHER, Math.max(0, end.process() - start.process() - threadTotal), Long::sum);
    parts.put(REGISTRY, Math.max(0, end.registry() - start.registry()));
    Map<String, Duration> result = new LinkedHashMap<>();
    parts.forEach((part, nanos) -> result.put(part, Duration.ofNanos(nanos)));
    return result;
  }

  private String part(String threadName) {
    Matcher httpClient = HTTP_CLIENT_THREAD.matcher(threadName);
    if (httpClient.matches()) {
      return httpClientOwners.getOrDefault(httpClient.group(1), HARNESS);
    }
    if (threadName.startsWith("pull-") || threadName.startsWith("wave-client-")) {
      return CLIENTS;
    }
    if (threadName.contains("EventLoopGroup") // Netty's nio or epoll event loops
        || threadName.startsWith("stevedore-")
        || threadName.startsWith("globalEventExecutor")) {
      return STEVEDORE;
    }
    if (threadName.startsWith("cdn") // front, CDN, their TCP ports, the throttled link
        || threadName.startsWith("token-server")
        || threadName.startsWith("HTTP-Dispatcher") // the JDK HttpServer's own threads
        || threadName.startsWith("idle-timeout-task")) {
      return HARNESS;
    }
    return JVM_OTHER;
  }

  private static Set<Long> liveThreadIds() {
    Set<Long> ids = new HashSet<>();
    Thread.getAllStackTraces().keySet().forEach(thread -> ids.add(thread.getId()));
    return ids;
  }
}
