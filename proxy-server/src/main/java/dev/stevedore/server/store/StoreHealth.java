package dev.stevedore.server.store;

import dev.stevedore.storage.S3Connection;
import dev.stevedore.storage.StoreCheck;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the shared store answers, as readiness and the status page report it: the last {@link
 * StoreCheck} result, refreshed by {@link StoreHousekeeping}. While the store is unreachable the
 * server serves its local tier and is not ready, so a load balancer sends clients to a replica that
 * can serve everything; it becomes ready again on the first check that gets an answer. Changes are
 * logged once, not every check.
 */
public final class StoreHealth {
  private static final Logger log = LoggerFactory.getLogger(StoreHealth.class);

  private final S3Connection connection;
  private volatile StoreCheck.Result last;

  /** Starts from the check {@code serve} made at start. */
  public StoreHealth(S3Connection connection, StoreCheck.Result atStart) {
    this.connection = Objects.requireNonNull(connection, "connection");
    this.last = Objects.requireNonNull(atStart, "atStart");
  }

  /** Checks the store again (blocking, at most {@link StoreCheck#CHECK_TIMEOUT}). */
  public void refresh() {
    StoreCheck.Result now;
    try {
      now = StoreCheck.check(connection);
    } catch (RuntimeException e) {
      now = new StoreCheck.Result(StoreCheck.Verdict.UNREACHABLE, "check failed: " + e);
    }
    StoreCheck.Result before = last;
    last = now;
    if (now.verdict() != before.verdict()) {
      if (now.verdict() == StoreCheck.Verdict.REACHABLE) {
        log.info("Store: {}", now.line());
      } else {
        log.warn("Store: {}; serving the local tier only", now.line());
      }
    }
  }

  /** Why the store keeps the server from being ready, or empty when it answers. */
  public Optional<String> problem() {
    StoreCheck.Result result = last;
    return result.verdict() == StoreCheck.Verdict.REACHABLE
        ? Optional.empty()
        : Optional.of("store: " + result.line());
  }

  /** The last check's line, for the status page. */
  public String line() {
    return last.line();
  }

  /** Where the store is: endpoint (without secrets) and bucket. */
  public String where() {
    return "s3://"
        + connection.layout().bucket()
        + "/"
        + connection.layout().prefix()
        + " at "
        + connection.where();
  }
}
