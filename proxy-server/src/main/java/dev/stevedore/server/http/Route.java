package dev.stevedore.server.http;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a request path points: an operator endpoint ({@code /}, {@code /metrics}, {@code /healthz},
 * {@code /readyz}), a node's setup script ({@code /setup/<kind>}) or a registry API path under
 * {@code /v2/}, split but not yet validated. A repository name may hold slashes; a reference never
 * does.
 */
record Route(Kind kind, String name, String reference) {

  enum Kind {
    STATUS_PAGE,
    METRICS,
    HEALTH,
    READY,
    BASE,
    MANIFEST("/manifests"),
    BLOB("/blobs"),
    BLOB_UPLOAD,
    TAGS,
    CATALOG,
    REFERRERS("/referrers"),
    /** A peer replica relaying a blob from this one (authenticated by the cluster's secret). */
    RELAY,
    /** A node's setup script, {@code /setup/<kind>}, or their index {@code /setup/}. */
    SETUP,
    NOT_FOUND;

    private final String tag = name().toLowerCase(Locale.ROOT);

    /** The path segment before a reference, for kinds that have one; references hold no slash. */
    private final String marker;

    Kind() {
      this(null);
    }

    Kind(String marker) {
      this.marker = marker;
    }

    /** The lowercase name: the route tag of metrics. */
    String tag() {
      return tag;
    }

    /**
     * Whether a request for this kind needs client credentials: every kind does but the operators'
     * endpoints, so a path that is unknown, unsupported or not yet understood is refused too.
     */
    boolean needsCredentials() {
      return switch (this) {
        case STATUS_PAGE, METRICS, HEALTH, READY, SETUP, RELAY -> false; // RELAY: the cluster's own
        default -> true;
      };
    }
  }

  /** Where peer replicas relay blobs from: {@code /_stevedore/cluster/blobs/<digest>?ns=NAME}. */
  static final String RELAY_PATH = "/_stevedore/cluster/blobs/";

  /** Where nodes fetch their setup scripts: {@code /setup/<kind>}. */
  static final String SETUP_PATH = "/setup/";

  /** The kinds whose path ends in {@code <marker>/<reference>}: those with a marker. */
  private static final List<Kind> WITH_REFERENCE =
      Arrays.stream(Kind.values()).filter(kind -> kind.marker != null).toList();

  Route {
    Objects.requireNonNull(kind, "kind");
  }

  /**
   * Splits a canonical request path ({@link RequestTarget}); anything unknown is {@link
   * Kind#NOT_FOUND}.
   */
  static Route parse(String path) {
    if (path.startsWith("/v2/")) {
      return registryApi(path);
    }
    if (path.startsWith(RELAY_PATH) && path.indexOf('/', RELAY_PATH.length()) < 0) {
      return new Route(Kind.RELAY, null, path.substring(RELAY_PATH.length()));
    }
    if (path.startsWith(SETUP_PATH) && path.indexOf('/', SETUP_PATH.length()) < 0) {
      String kind = path.substring(SETUP_PATH.length());
      return new Route(Kind.SETUP, null, kind.isEmpty() ? null : kind);
    }
    switch (path) {
      case "/setup":
        return new Route(Kind.SETUP, null, null);
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
    return new Route(path.equals("/v2") ? Kind.BASE : Kind.NOT_FOUND, null, null);
  }

  /** A path under {@code /v2/}. */
  private static Route registryApi(String path) {
    if (path.length() == "/v2/".length()) {
      return new Route(Kind.BASE, null, null);
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
    for (Kind kind : WITH_REFERENCE) {
      String marker = kind.marker;
      if (prefix.endsWith(marker) && prefix.length() > marker.length()) {
        return new Route(kind, prefix.substring(0, prefix.length() - marker.length()), reference);
      }
    }
    return new Route(Kind.NOT_FOUND, null, null);
  }
}
