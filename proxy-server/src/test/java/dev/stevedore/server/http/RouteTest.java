package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.http.Route.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RouteTest {
  private static final String DIGEST =
      "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  @Test
  void parse_v2Slash_isBase() {
    assertThat(Route.parse("/v2/")).isEqualTo(new Route(Kind.BASE, null, null));
  }

  @Test
  void parse_v2WithoutSlash_isBase() {
    assertThat(Route.parse("/v2").kind()).isEqualTo(Kind.BASE);
  }

  @Test
  void parse_manifestByTag_splitsNameAndReference() {
    assertThat(Route.parse("/v2/library/alpine/manifests/3.19"))
        .isEqualTo(new Route(Kind.MANIFEST, "library/alpine", "3.19"));
  }

  @Test
  void parse_manifestOfSingleComponentName_isManifest() {
    assertThat(Route.parse("/v2/alpine/manifests/latest"))
        .isEqualTo(new Route(Kind.MANIFEST, "alpine", "latest"));
  }

  @Test
  void parse_manifestOfMultiComponentName_keepsWholeName() {
    assertThat(Route.parse("/v2/a/b/c/manifests/x"))
        .isEqualTo(new Route(Kind.MANIFEST, "a/b/c", "x"));
  }

  @Test
  void parse_manifestByDigest_referenceIsDigest() {
    assertThat(Route.parse("/v2/a/manifests/" + DIGEST))
        .isEqualTo(new Route(Kind.MANIFEST, "a", DIGEST));
  }

  @Test
  void parse_nameWithManifestsComponent_cutsAtLastMarker() {
    assertThat(Route.parse("/v2/a/manifests/b/manifests/latest"))
        .isEqualTo(new Route(Kind.MANIFEST, "a/manifests/b", "latest"));
  }

  @Test
  void parse_nameWithBlobsComponent_manifestKeepsWholeName() {
    assertThat(Route.parse("/v2/a/blobs/b/manifests/latest"))
        .isEqualTo(new Route(Kind.MANIFEST, "a/blobs/b", "latest"));
  }

  @Test
  void parse_blob_splitsNameAndDigest() {
    assertThat(Route.parse("/v2/org/team/app/blobs/" + DIGEST))
        .isEqualTo(new Route(Kind.BLOB, "org/team/app", DIGEST));
  }

  @Test
  void parse_blobWithInvalidDigest_isBlobForTheEndpointToReject() {
    assertThat(Route.parse("/v2/a/blobs/sha256:xyz"))
        .isEqualTo(new Route(Kind.BLOB, "a", "sha256:xyz"));
  }

  @Test
  void parse_blobOfNameWithManifestsComponent_isBlob() {
    assertThat(Route.parse("/v2/a/manifests/b/blobs/" + DIGEST))
        .isEqualTo(new Route(Kind.BLOB, "a/manifests/b", DIGEST));
  }

  @Test
  void parse_tagsList_isTags() {
    assertThat(Route.parse("/v2/a/b/c/tags/list")).isEqualTo(new Route(Kind.TAGS, "a/b/c", null));
  }

  @Test
  void parse_tagsListOfNameWithManifestsComponent_isTags() {
    assertThat(Route.parse("/v2/a/manifests/b/tags/list"))
        .isEqualTo(new Route(Kind.TAGS, "a/manifests/b", null));
  }

  @Test
  void parse_blobUploadsSlash_isBlobUpload() {
    assertThat(Route.parse("/v2/a/b/blobs/uploads/"))
        .isEqualTo(new Route(Kind.BLOB_UPLOAD, "a/b", null));
  }

  @Test
  void parse_blobUploadsWithoutSlash_isBlobUpload() {
    assertThat(Route.parse("/v2/a/blobs/uploads").kind()).isEqualTo(Kind.BLOB_UPLOAD);
  }

  @Test
  void parse_blobUploadSession_isBlobUpload() {
    assertThat(Route.parse("/v2/a/blobs/uploads/6e2b0a4c-1f6e-4b59-9f0e-0d2f3c1e4a5b"))
        .isEqualTo(new Route(Kind.BLOB_UPLOAD, "a", null));
  }

  @Test
  void parse_catalog_isCatalog() {
    assertThat(Route.parse("/v2/_catalog").kind()).isEqualTo(Kind.CATALOG);
  }

  @Test
  void parse_operatorEndpoints() {
    assertThat(Route.parse("/").kind()).isEqualTo(Kind.STATUS_PAGE);
    assertThat(Route.parse("/metrics").kind()).isEqualTo(Kind.METRICS);
    assertThat(Route.parse("/healthz").kind()).isEqualTo(Kind.HEALTH);
    assertThat(Route.parse("/readyz").kind()).isEqualTo(Kind.READY);
  }

  @Test
  void parse_referrers_isReferrers() {
    assertThat(Route.parse("/v2/a/referrers/" + DIGEST))
        .isEqualTo(new Route(Kind.REFERRERS, "a", DIGEST));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/v1/",
        "/v2x",
        "/v22/a/manifests/latest",
        "/healthz/",
        "/a/v2/",
        "/V2/",
        "/v2/a",
        "/v2/a/b",
        "/v2/a/manifests",
        "/v2/a/manifests/",
        "/v2/a/blobs/",
        "/v2//manifests/latest",
        "/v2/manifests/latest",
        "/v2/a/tags",
        "/v2/a/tags/list/",
        "/v2/a/tags/listing",
        "/v2/a/tags/list/extra",
        "/v2/_catalog/extra",
      })
  void parse_noEndpoint_isNotFound(String path) {
    assertThat(Route.parse(path)).isEqualTo(new Route(Kind.NOT_FOUND, null, null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v2/a/manifests/latest/extra", "/v2/a/blobs/" + DIGEST + "/extra"})
  void parse_trailingSegmentAfterReference_isNotFound(String path) {
    assertThat(Route.parse(path).kind()).isEqualTo(Kind.NOT_FOUND);
  }

  @Test
  void parse_setupScript_isSetupWithTheKind() {
    assertThat(Route.parse("/setup/microk8s")).isEqualTo(new Route(Kind.SETUP, null, "microk8s"));
  }

  @Test
  void parse_setupIndex_isSetupWithoutKind() {
    assertThat(Route.parse("/setup/")).isEqualTo(new Route(Kind.SETUP, null, null));
    assertThat(Route.parse("/setup")).isEqualTo(new Route(Kind.SETUP, null, null));
  }

  @Test
  void parse_setupDeeper_isNotFound() {
    assertThat(Route.parse("/setup/docker/x").kind()).isEqualTo(Kind.NOT_FOUND);
  }
}
