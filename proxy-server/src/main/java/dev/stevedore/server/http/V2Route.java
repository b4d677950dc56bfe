package dev.stevedore.server.http;

import java.util.List;
import java.util.Objects;

/**
 * Where a {@code /v2/} request path points, split but not yet validated: the repository name may
 * hold slashes, so the path is cut at the last {@code /manifests/}, {@code /blobs/} or {@code
 * /tags/list}.
 */
record V2Route(Kind kind, String name, String reference) {

  enum Kind {
    BASE,
    MANIFEST,
    BLOB,
    BLOB_UPLOAD,
    TAGS,
    CATALOG,
    REFERRERS,
    NOT_FOUND
  }

  V2Route {
    Objects.requireNonNull(kind, "kind");
  }

  /** Splits a decoded request path; anything outside {@code /v2/} is {@link Kind#NOT_FOUND}. */
  static V2Route parse(String path) {
    if (path.equals("/v2") || path.equals("/v2/")) {
      return new V2Route(Kind.BASE, null, null);
    }
    if (!path.startsWith("/v2/")) {
      return new V2Route(Kind.NOT_FOUND, null, null);
    }
    String rest = path.substring("/v2/".length());
    if (rest.equals("_catalog")) {
      return new V2Route(Kind.CATALOG, null, null);
    }
    if (rest.endsWith("/tags/list")) {
      return new V2Route(Kind.TAGS, rest.substring(0, rest.length() - "/tags/list".length()), null);
    }
    int uploads = rest.indexOf("/blobs/uploads");
    if (uploads > 0 && (rest.endsWith("/blobs/uploads") || rest.startsWith("/", uploads + 14))) {
      return new V2Route(Kind.BLOB_UPLOAD, rest.substring(0, uploads), null);
    }
    int lastSlash = rest.lastIndexOf('/');
    if (lastSlash <= 0 || lastSlash == rest.length() - 1) {
      return new V2Route(Kind.NOT_FOUND, null, null);
    }
    String reference = rest.substring(lastSlash + 1);
    String prefix = rest.substring(0, lastSlash);
    for (Kind kind : List.of(Kind.MANIFEST, Kind.BLOB, Kind.REFERRERS)) {
      String marker = "/" + segment(kind);
      if (prefix.endsWith(marker) && prefix.length() > marker.length()) {
        return new V2Route(kind, prefix.substring(0, prefix.length() - marker.length()), reference);
      }
    }
    return new V2Route(Kind.NOT_FOUND, null, null);
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
