package dev.stevedore.server.http;

import java.util.concurrent.atomic.AtomicInteger;

/** How many requests are being answered right now, so a shutdown can wait for them. */
final class InFlightRequests {
  private final AtomicInteger count = new AtomicInteger();

  void started() {
    count.incrementAndGet();
  }

  void ended() {
    count.decrementAndGet();
  }

  int count() {
    return count.get();
  }
}
