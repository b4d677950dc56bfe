package dev.stevedore.core.upstream;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers the latest rate-limit headers an upstream sent and warns when the remaining budget
 * first drops below 10% of the limit (once per drop, not per response). No headers means unlimited,
 * and nothing is recorded.
 */
public final class RateLimitTracker {
  private static final Logger log = LoggerFactory.getLogger(RateLimitTracker.class);
  private static final Pattern VALUE =
      Pattern.compile("\\s*(\\d+)\\s*(?:;\\s*w\\s*=\\s*(\\d+))?.*");

  private final String upstream;
  private final Clock clock;
  private final AtomicReference<RateLimit> latest = new AtomicReference<>();

  public RateLimitTracker(String upstream, Clock clock) {
    this.upstream = Objects.requireNonNull(upstream, "upstream");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The last budget the upstream stated, if it ever did. */
  public Optional<RateLimit> latest() {
    return Optional.ofNullable(latest.get());
  }

  /** Records the rate-limit headers of one upstream response, if it has them. */
  public void observe(HttpHeaders headers) {
    Optional<Matcher> limit = parse(headers, "ratelimit-limit");
    Optional<Matcher> remaining = parse(headers, "ratelimit-remaining");
    if (limit.isEmpty() || remaining.isEmpty()) {
      return;
    }
    String window = limit.get().group(2);
    RateLimit current =
        new RateLimit(
            Long.parseLong(limit.get().group(1)),
            Long.parseLong(remaining.get().group(1)),
            window == null ? 0 : Long.parseLong(window),
            headers.firstValue("docker-ratelimit-source"),
            clock.instant());
    RateLimit previous = latest.getAndSet(current);
    if (current.isLow() && (previous == null || !previous.isLow())) {
      log.warn(
          "upstream {} pull budget is low: {} of {} left (window {} s)",
          upstream,
          current.remaining(),
          current.limit(),
          current.windowSeconds());
    }
  }

  private static Optional<Matcher> parse(HttpHeaders headers, String name) {
    return headers
        .firstValue(name)
        .map(VALUE::matcher)
        .filter(Matcher::matches)
        .filter(m -> m.group(1).length() < 18);
  }
}
