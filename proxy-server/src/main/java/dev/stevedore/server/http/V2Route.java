package dev.stevedore.server.http;

import java.util.Objects;

/**
 * Where a {@code /v2/} request path points, split but not yet validated: the repository name
 * may hold slashes, so the path is cut at the last {@code /manifests/}, {@code /blobs/} or
 * {@code /tags/list}.
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
    int uploads = rest.lastIndexOf("/blobs/uploads");
    if (uploads > 0) {
      return new V2Route(Kind.BLOB_UPLOAD, rest.substring(0, uploads), null);
    }
    V2Route split = splitAt(rest, "/manifests/", Kind.MANIFEST);
    if (split == null) {
      split = splitAt(rest, "/blobs/", Kind.BLOB);
    }
    if (split == null) {
      split = splitAt(rest, "/referrers/", Kind.REFERRERS);
    }
    return split != null ? split : new V2Route(Kind.NOT_FOUND, null, null);
  }

  private static V2Route splitAt(String rest, String marker, Kind kind) {
    int at = rest.lastIndexOf(marker);
    if (at <= 0 || at + marker.length() >= rest.length()) {
      return null;
    }
    return new V2Route(kind, rest.substring(0, at), rest.substring(at + marker.length()));
  }
}
