package dev.stevedore.server.metrics;

import dev.stevedore.core.cache.CacheOutcome;
import dev.stevedore.core.metrics.CacheMetrics;
import dev.stevedore.core.metrics.UpstreamKind;
import dev.stevedore.core.upstream.RateLimit;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.server.cluster.StoreCluster;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Stevedore's meters on a Prometheus registry: what the core and the shared store's client report
 * ({@link CacheMetrics}), what the HTTP server records per request, and gauges read when scraped.
 * Tags are bounded: route, method, status, outcome, upstream name and kind, store operation and
 * direction; never a digest, tag, repository or object key.
 */
public final class StevedoreMetrics implements CacheMetrics {
  /** The {@code direction} tag of bytes sent to the store. */
  public static final String STORE_SENT = "sent";

  /** The {@code direction} tag of bytes received from the store. */
  public static final String STORE_RECEIVED = "received";

  /**
   * The {@code route} tag of peers relaying a blob from this replica; the HTTP server's name of
   * that route ({@code Route.Kind.RELAY}).
   */
  public static final String RELAY_ROUTE = "relay";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<RequestKey, Timer> requestTimers = new ConcurrentHashMap<>();
  private final Map<String, Counter> bytesServed = new ConcurrentHashMap<>();
  private final Map<StoreKey, Counter> storeRequests = new ConcurrentHashMap<>();
  private final Map<String, Counter> storeBytes = new ConcurrentHashMap<>();
  private final Map<String, Counter> relayedBytes = new ConcurrentHashMap<>();
  private final List<StoreCluster> clusters = new CopyOnWriteArrayList<>();
  private boolean jvmMetricsBound;

  /**
   * Binds the JVM and process metrics (memory, GC, threads, classes, CPU, uptime, file descriptors)
   * on the first scrape: they load JMX and the GC notification machinery (about 230 classes and 2
   * MiB of an idle {@code serve}, issue 20), and only a scrape reads them. GC pauses before the
   * first scrape are not in {@code jvm_gc_pause}. Synchronized, so that a scrape running beside the
   * first one waits for the meters instead of answering without them.
   */
  private synchronized void bindJvmMetricsOnce() {
    if (!jvmMetricsBound) {
      jvmMetricsBound = true;
      new JvmMemoryMetrics().bindTo(registry);
      new JvmGcMetrics().bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ClassLoaderMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
      new UptimeMetrics().bindTo(registry);
      new FileDescriptorMetrics().bindTo(registry);
    }
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    bindJvmMetricsOnce();
    return registry.scrape();
  }

  /** One answered client request: its timer and, when it sent a body, the bytes served. */
  public void request(RequestLog log) {
    Optional<CacheOutcome> outcome = log.outcome();
    request(log.route(), log.method(), log.status(), outcome, log.durationNanos());
    bytesServed(outcome, log.bodyBytes());
    if (RELAY_ROUTE.equals(log.route()) && log.bodyBytes() > 0) {
      Counter.builder(MeterNames.CLUSTER_RELAY_SERVED_BYTES.meterName())
          .description(MeterNames.CLUSTER_RELAY_SERVED_BYTES.description())
          .register(registry)
          .increment(log.bodyBytes());
    }
  }

  /**
   * One answered client request. Its timer is looked up in a map of its own, not built and
   * registered each time: this runs once per request on the event loop.
   */
  public void request(
      String route, String method, int status, Optional<CacheOutcome> outcome, long nanos) {
    requestTimers
        .computeIfAbsent(
            new RequestKey(route, method, status, outcome.orElse(null)), this::requestTimer)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The tags of one request timer; all bounded. */
  private record RequestKey(String route, String method, int status, CacheOutcome outcome) {}

  private Timer requestTimer(RequestKey key) {
    return Timer.builder(MeterNames.REQUESTS.meterName())
        .description(MeterNames.REQUESTS.description())
        .tag("route", key.route())
        .tag("method", key.method())
        .tag("status", Integer.toString(key.status()))
        .tag("outcome", outcomeTag(key.outcome()))
        .register(registry);
  }

  /** Body bytes sent to a client. */
  public void bytesServed(Optional<CacheOutcome> outcome, long bytes) {
    if (bytes > 0) {
      bytesServed
          .computeIfAbsent(
              outcomeTag(outcome.orElse(null)),
              tag -> counter(MeterNames.BYTES_SERVED, "outcome", tag))
          .increment(bytes);
    }
  }

  private static String outcomeTag(CacheOutcome outcome) {
    return outcome == null ? "none" : outcome.tag();
  }

  @Override
  public void upstreamRequest(String upstream, UpstreamKind kind, int status) {
    Counter.builder(MeterNames.UPSTREAM_REQUESTS.meterName())
        .description(MeterNames.UPSTREAM_REQUESTS.description())
        .tag("upstream", upstream)
        .tag("kind", kind.tag())
        .tag("status", status == 0 ? "none" : Integer.toString(status))
        .register(registry)
        .increment();
  }

  @Override
  public void upstreamBytes(String upstream, long bytes) {
    if (bytes > 0) {
      counter(MeterNames.UPSTREAM_BYTES, "upstream", upstream).increment(bytes);
    }
  }

  @Override
  public void digestMismatch(String upstream) {
    counter(MeterNames.DIGEST_MISMATCHES, "upstream", upstream).increment();
  }

  /** Bytes a peer relayed; looked up in a map of its own, since this runs once per chunk. */
  @Override
  public void relayedBytes(String upstream, long bytes) {
    if (bytes > 0) {
      relayedBytes
          .computeIfAbsent(
              upstream, name -> counter(MeterNames.CLUSTER_RELAYED_BYTES, "upstream", name))
          .increment(bytes);
    }
  }

  @Override
  public void takeover() {
    Counter.builder(MeterNames.CLUSTER_TAKEOVERS.meterName())
        .description(MeterNames.CLUSTER_TAKEOVERS.description())
        .register(registry)
        .increment();
  }

  /**
   * The lease meters of this replica's cluster, read at scrape time: the leases it holds now and
   * those it lost (a count that only grows, so a counter to Prometheus). Micrometer holds a
   * function counter's source weakly and offers no strong reference for it, so this object does.
   */
  public void clusterOf(StoreCluster cluster) {
    clusters.add(cluster);
    gauge(MeterNames.CLUSTER_LEASES_HELD, cluster, StoreCluster::leasesHeld);
    FunctionCounter.builder(
            MeterNames.CLUSTER_LEASES_LOST.meterName(), cluster, StoreCluster::leasesLost)
        .description(MeterNames.CLUSTER_LEASES_LOST.description())
        .register(registry);
  }

  /**
   * One request to the shared store. Its counters are looked up in maps of their own, not built and
   * registered each time: this runs once per S3 request.
   */
  @Override
  public void request(String operation, String outcome, long bytesSent, long bytesReceived) {
    storeRequests
        .computeIfAbsent(new StoreKey(operation, outcome), this::storeRequestCounter)
        .increment();
    storeBytes(STORE_SENT, bytesSent);
    storeBytes(STORE_RECEIVED, bytesReceived);
  }

  /** The tags of one store request counter; both bounded (S3 operations, four outcomes). */
  private record StoreKey(String operation, String outcome) {}

  private Counter storeRequestCounter(StoreKey key) {
    return Counter.builder(MeterNames.STORE_REQUESTS.meterName())
        .description(MeterNames.STORE_REQUESTS.description())
        .tag("operation", key.operation())
        .tag("outcome", key.outcome())
        .register(registry);
  }

  private void storeBytes(String direction, long bytes) {
    if (bytes > 0) {
      storeBytes
          .computeIfAbsent(direction, tag -> counter(MeterNames.STORE_BYTES, "direction", tag))
          .increment(bytes);
    }
  }

  /** One blob evicted to keep within the budget. */
  public void eviction() {
    Counter.builder(MeterNames.EVICTIONS.meterName())
        .description(MeterNames.EVICTIONS.description())
        .register(registry)
        .increment();
  }

  /** One client connection closed on arrival because its address held too many already. */
  public void connectionRefused() {
    Counter.builder(MeterNames.CONNECTIONS_REFUSED.meterName())
        .description(MeterNames.CONNECTIONS_REFUSED.description())
        .register(registry)
        .increment();
  }

  /**
   * A gauge read at scrape time; it keeps {@code source} alive (Micrometer holds gauges weakly).
   */
  public <T> void gauge(MeterNames name, T source, ToDoubleFunction<T> value) {
    Gauge.builder(name.meterName(), source, value)
        .description(name.description())
        .strongReference(true)
        .register(registry);
  }

  /** The rate-limit gauges of one upstream (NaN until it states a budget). */
  public void rateLimitOf(Upstream upstream) {
    Supplier<Optional<RateLimit>> latest = upstream::rateLimit;
    Gauge.builder(
            MeterNames.RATELIMIT_LIMIT.meterName(),
            latest,
            s -> s.get().map(limit -> (double) limit.limit()).orElse(Double.NaN))
        .description(MeterNames.RATELIMIT_LIMIT.description())
        .strongReference(true)
        .tag("upstream", upstream.name())
        .register(registry);
    Gauge.builder(
            MeterNames.RATELIMIT_REMAINING.meterName(),
            latest,
            s -> s.get().map(limit -> (double) limit.remaining()).orElse(Double.NaN))
        .description(MeterNames.RATELIMIT_REMAINING.description())
        .strongReference(true)
        .tag("upstream", upstream.name())
        .register(registry);
  }

  private Counter counter(MeterNames name, String tag, String value) {
    return Counter.builder(name.meterName())
        .description(name.description())
        .tag(tag, value)
        .register(registry);
  }
}
