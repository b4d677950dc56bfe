package dev.stevedore.server.bench;

import dev.stevedore.server.it.support.Upstream;

/** What the emulated upstream saw since its counters were last reset. */
record UpstreamCounts(
    long cdnBytes,
    int manifestGets,
    int manifestHeads,
    int cdnRequests,
    int tokenRequests,
    int allRequests) {

  static UpstreamCounts of(Upstream upstream) {
    return new UpstreamCounts(
        upstream.front().cdnBytes(),
        upstream.front().manifestGets(),
        upstream.front().manifestHeads(),
        upstream.front().cdnRequests(),
        upstream.tokens().requestCount(),
        // the front's log holds every front and CDN request; tokens are counted separately
        upstream.front().requestLog().size() + upstream.tokens().requestCount());
  }
}
