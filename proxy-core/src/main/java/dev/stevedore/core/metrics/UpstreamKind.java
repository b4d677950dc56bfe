package dev.stevedore.core.metrics;

import java.util.Locale;

/** The kinds of upstream request, a bounded metric tag. */
public enum UpstreamKind {
  PING,
  TOKEN,
  MANIFEST_GET,
  MANIFEST_HEAD,
  BLOB_GET,
  BLOB_HEAD,
  TAGS;

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
