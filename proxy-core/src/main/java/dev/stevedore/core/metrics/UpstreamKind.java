package dev.stevedore.core.metrics;

import java.util.Locale;

/**
 * The upstream endpoints, as the bounded metric tag their requests are counted under: each {@code
 * UpstreamEndpoint} in {@code dev.stevedore.core.upstream} names its own, and holds everything else
 * about the verb (what a 404 means, how the body is read). The tag values are what dashboards
 * query: a new endpoint adds one, none is renamed.
 */
public enum UpstreamKind {
  PING,
  TOKEN,
  MANIFEST_GET,
  MANIFEST_HEAD,
  BLOB_GET,
  BLOB_HEAD,
  TAGS,
  REFERRERS;

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
