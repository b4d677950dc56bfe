package dev.stevedore.server.http;

import java.util.List;
import java.util.Objects;

/**
 * Where a request path points: an operator endpoint ({@code /}, {@code /metrics}, {@code /healthz},
 * {@code /readyz}) or a registry API path under {@code /v2/}, split but not yet validated. A
 * repository name may hold slashes; a reference never does.
 */
record Route(Kind kind, String name, String reference) {

  enum Kind {
    STATUS_PAGE,
    METRICS,
    HEALTH,
    READY,
    BASE,
    MANIFEST,
    BLOB,
    BLOB_UPLOAD,
    TAGS,
    CATALOG,
    REFERRERS,
    NOT_FOUND
  }

  Route {
    Objects.requireNonNull(kind, "kind");
  }

  /** Splits a decoded request path; anything unknown is {@link Kind#NOT_FOUND}. */
  static Route parse(String path) {
    switch (path) {
      case "/":
        return new Route(Kind.STATUS_PAGE, null, null);
      case "/metrics":
        return new Route(Kind.METRICS, null, null);
      case "/healthz":
        return new Route(Kind.HEALTH, null, null);
      case "/readyz":
        return new Route(Kind.READY, null, null);
      default:
        break;
    }
    if (path.equals("/v2") || path.equals("/v2/")) {
      return new Route(Kind.BASE, null, null);
    }
    if (!path.startsWith("/v2/")) {
      return new Route(Kind.NOT_FOUND, null, null);
    }
    String rest = path.substring("/v2/".length());
    if (rest.equals("_catalog")) {
      return new Route(Kind.CATALOG, null, null);
    }
    if (rest.endsWith("/tags/list")) {
      return new Route(Kind.TAGS, rest.substring(0, rest.length() - "/tags/list".length()), null);
    }
    int uploads = rest.indexOf("/blobs/uploads");
    if (uploads > 0 && (rest.endsWith("/blobs/uploads") || rest.startsWith("/", uploads + 14))) {
      return new Route(Kind.BLOB_UPLOAD, rest.substring(0, uploads), null);
    }
    int lastSlash = rest.lastIndexOf('/');
    if (lastSlash <= 0 || lastSlash == rest.length() - 1) {
      return new Route(Kind.NOT_FOUND, null, null);
    }
    String reference = rest.substring(lastSlash + 1);
    String prefix = rest.substring(0, lastSlash);
    for (Kind kind : List.of(Kind.MANIFEST, Kind.BLOB, Kind.REFERRERS)) {
      String marker = "/" + segment(kind);
      if (prefix.endsWith(marker) && prefix.length() > marker.length()) {
        return new Route(kind, prefix.substring(0, prefix.length() - marker.length()), reference);
      }
    }
    return new Route(Kind.NOT_FOUND, null, null);
  }

  /** The path segment before a reference: references never contain a slash. */
  private static String segment(Kind kind) {
    return switch (kind) {
      case MANIFEST -> "manifests";
      case BLOB -> "blobs";
      default -> "referrers";
    };
  }
}
