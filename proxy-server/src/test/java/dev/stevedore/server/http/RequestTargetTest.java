package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.server.http.Route.Kind;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestTargetTest {

  @Test
  void plainPath_isItsOwnCanonicalForm() {
    RequestTarget target = RequestTarget.parse("/v2/library/alpine/manifests/3.19");

    assertThat(target.path()).isEqualTo("/v2/library/alpine/manifests/3.19");
    assertThat(target.route()).isEqualTo(new Route(Kind.MANIFEST, "library/alpine", "3.19"));
    assertThat(target.namespace()).isEmpty();
    assertThat(target.forwardedQuery()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/%762/library/alpine/manifests/3.19",
        "/%76%32/library/alpine/manifests/3.19",
        "/v2/%6c%69brary/alpine/manifests/3%2E19",
        "/v2/%6C%69brary/alpine/%6Danifests/3.19"
      })
  void escapesOfPathCharacters_decodeOnceToTheSameRoute(String uri) {
    assertThat(RequestTarget.parse(uri).route())
        .isEqualTo(new Route(Kind.MANIFEST, "library/alpine", "3.19"));
  }

  @Test
  void operatorPaths_areOperatorRoutes() {
    assertThat(RequestTarget.parse("/").route().kind()).isEqualTo(Kind.STATUS_PAGE);
    assertThat(RequestTarget.parse("/metrics").route().kind()).isEqualTo(Kind.METRICS);
    assertThat(RequestTarget.parse("/healthz?x=1").route().kind()).isEqualTo(Kind.HEALTH);
    assertThat(RequestTarget.parse("/readyz").route().kind()).isEqualTo(Kind.READY);
  }

  @Test
  void onlyOperatorRoutesSetupScriptsAndThePeersRelay_needNoClientCredentials() {
    for (Kind kind : Kind.values()) {
      boolean operator =
          kind == Kind.STATUS_PAGE
              || kind == Kind.METRICS
              || kind == Kind.HEALTH
              || kind == Kind.READY;
      boolean peers = kind == Kind.RELAY; // proves the cluster's secret instead (RelayEndpoint)
      boolean nodes = kind == Kind.SETUP; // scripts hold no secret; nodes bring their own
      assertThat(kind.needsCredentials()).as(kind.name()).isEqualTo(!operator && !peers && !nodes);
    }
  }

  @Test
  void relayPath_isTheRelayRouteWithTheDigestAsReference() {
    RequestTarget target =
        RequestTarget.parse("/_stevedore/cluster/blobs/sha256:" + "a".repeat(64) + "?ns=docker.io");

    assertThat(target.route().kind()).isEqualTo(Kind.RELAY);
    assertThat(target.route().reference()).isEqualTo("sha256:" + "a".repeat(64));
    assertThat(target.namespace()).contains("docker.io");
    assertThat(RequestTarget.parse("/_stevedore/cluster/blobs/x/y").route().kind())
        .isEqualTo(Kind.NOT_FOUND);
  }

  @Test
  void namespace_isDecodedOnce_andLeftOutOfTheForwardedQuery() {
    RequestTarget target = RequestTarget.parse("/v2/a/tags/list?n=2&%6Es=ghcr%2Eio&last=a%2Bb");

    assertThat(target.namespace()).contains("ghcr.io");
    assertThat(target.forwardedQuery()).contains("n=2&last=a%2Bb");
  }

  @Test
  void emptyQuery_forwardsNothing() {
    assertThat(RequestTarget.parse("/v2/a/tags/list?").forwardedQuery()).isEmpty();
    assertThat(RequestTarget.parse("/v2/a/tags/list?ns=ghcr.io").forwardedQuery()).isEmpty();
  }

  @Test
  void emptyNamespace_isPresentAndEmpty() {
    assertThat(RequestTarget.parse("/v2/?ns=").namespace()).isEqualTo(Optional.of(""));
  }

  @Test
  void trailingSlash_isKept() {
    assertThat(RequestTarget.parse("/v2/").route().kind()).isEqualTo(Kind.BASE);
    assertThat(RequestTarget.parse("/metrics/").route().kind()).isEqualTo(Kind.NOT_FOUND);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "*",
        "v2/",
        "http://host/v2/",
        "//v2/",
        "/v2//a/manifests/x",
        "/v2/./a/manifests/x",
        "/v2/a/../manifests/x",
        "/v2/a/%2e/manifests/x",
        "/v2/a/.%2E/manifests/x",
        "/v2/a/manifests/..",
        "/v2/a%2fb/manifests/x",
        "/v2/a%2Fb/manifests/x",
        "/v2/a%5cb/manifests/x",
        "/v2/a\\b/manifests/x",
        "/v2/a/manifests/%2576",
        "/v2/a/manifests/x%",
        "/v2/a/manifests/x%7",
        "/v2/a/manifests/x%g0",
        "/v2/a/manifests/x%\u0663\u0663",
        "/v2/a/manifests/x%00",
        "/v2/a/manifests/x\u0000",
        "/v2/a/manifests/x\t",
        "/v2/a/manifests/x y",
        "/v2/a/manifests/x%20y",
        "/v2/a/manifests/\u00e9",
        "/v2/a/manifests/%C3%A9",
        "/v2/a/manifests/x;v=1",
        "/v2/a/manifests/x#frag",
        "/v2/a/manifests/x?ns=a&ns=b",
        "/v2/a/manifests/x?ns=%0a",
        "/v2/a/manifests/x?ns=\u0000",
        "/v2/a/manifests/x?ns=%ff",
        "/v2/a/manifests/x?n=%zz",
        "/v2/a/manifests/x?n=1#f"
      })
  void nonCanonicalTargets_areBadRequests(String uri) {
    assertThatThrownBy(() -> RequestTarget.parse(uri))
        .isInstanceOfSatisfying(
            RegistryException.class,
            error -> {
              assertThat(error.code()).isEqualTo(ErrorCode.UNSUPPORTED);
              assertThat(error.httpStatus()).isEqualTo(400);
              assertThat(error.detail()).doesNotContainPattern("[\\x00-\\x1f\\x7f]");
            });
  }
}
