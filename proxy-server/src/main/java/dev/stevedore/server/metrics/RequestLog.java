package dev.stevedore.server.metrics;

import dev.stevedore.core.cache.CacheOutcome;
import java.util.Optional;

/**
 * What one answered client request reports once its response is written: the bounded facts the
 * request meters are tagged with, its duration and the body bytes sent. The server's per-request
 * context implements it (Armeria's {@code RequestLog} is the model), so metrics read the request
 * itself rather than a list of loose arguments.
 */
public interface RequestLog {
  /** The route's metric tag; {@code invalid} for a request whose target did not parse. */
  String route();

  String method();

  int status();

  /** How the cache answered; empty for errors, operator pages and routes without a cache. */
  Optional<CacheOutcome> outcome();

  long durationNanos();

  long bodyBytes();
}
