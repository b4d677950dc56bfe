package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.server.cli.CommandRun;
import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signatures travel with images (issue 18): an image, its cosign-style {@code sha256-<hex>.sig} tag
 * and an OCI referrer (a signature manifest whose {@code subject} is the image) pushed to the real
 * registry, which has no referrers API, so the referrer is listed by the {@code sha256-<hex>}
 * tag-schema index as oras and cosign push it there. {@code export --with-referrers}, imported into
 * a fresh cache, and {@code preload --with-referrers} each leave a cache that, served offline,
 * answers the signature tag (skopeo) and {@code GET /v2/<name>/referrers/<digest>}.
 */
class ReferrersBundleIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String REPO = "library/signed";
  private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final String SIGNATURE_TYPE = "application/vnd.example.signature.v1+json";
  private static final TestImage IMAGE = new TestImages(18).layerSizes(20_000, 30_000).ociIndex();

  @TempDir static Path work;
  private static Blob cosignSignature;
  private static Blob referrer;
  private static CommandRun exportRun;
  private static Path imported;
  private static Path preloaded;

  @BeforeAll
  static void pushExportAndPreload() throws Exception {
    try (Upstream upstream = Upstream.start(Files.createDirectories(work.resolve("upstream")))) {
      upstream.push(REPO, "1", IMAGE);
      cosignSignature = pushCosignSignature(upstream);
      referrer = pushReferrer(upstream);

      Path bundle = work.resolve("signed.tar");
      exportRun =
          CommandRun.run(
              "export",
              "--data",
              work.resolve("connected").toString(),
              "--upstream",
              "docker.io=" + upstream.uri(),
              "--with-referrers",
              "--output",
              bundle.toString(),
              REPO + ":1");
      assertThat(exportRun.exitCode()).as(exportRun.toString()).isZero();

      preloaded = work.resolve("preloaded");
      CommandRun preload =
          CommandRun.run(
              "preload",
              "--data",
              preloaded.toString(),
              "--upstream",
              "docker.io=" + upstream.uri(),
              "--with-referrers",
              REPO + ":1");
      assertThat(preload.exitCode()).as(preload.toString()).isZero();

      imported = work.resolve("imported");
      CommandRun importRun =
          CommandRun.run("import", "--data", imported.toString(), bundle.toString());
      assertThat(importRun.exitCode()).as(importRun.toString()).isZero();
    } // the upstream is gone from here on
  }

  private static String tagOf(String digest) {
    return digest.replace(':', '-');
  }

  /** A cosign-style signature: a small image tagged {@code sha256-<hex of the image>.sig}. */
  private static Blob pushCosignSignature(Upstream upstream) throws Exception {
    Blob config = Blob.of("application/vnd.oci.image.config.v1+json", "{}".getBytes());
    Blob payload =
        Blob.of(
            "application/vnd.dev.cosign.simplesigning.v1+json",
            ("{\"critical\":{\"image\":{\"docker-manifest-digest\":\"" + IMAGE.digest() + "\"}}}")
                .getBytes(StandardCharsets.UTF_8));
    upstream.pushBlob(REPO, config);
    upstream.pushBlob(REPO, payload);
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", OCI_MANIFEST);
    manifest.put("config", config.descriptor());
    manifest.put("layers", List.of(payload.descriptor()));
    Blob signature = Blob.of(OCI_MANIFEST, JSON.writeValueAsBytes(manifest));
    upstream.pushManifest(REPO, tagOf(IMAGE.digest()) + ".sig", signature);
    return signature;
  }

  /**
   * An OCI 1.1 referrer of the image, pushed by digest, and the tag-schema index listing it, as a
   * client pushes both to a registry without the referrers API.
   */
  private static Blob pushReferrer(Upstream upstream) throws Exception {
    Blob empty = Blob.of("application/vnd.oci.empty.v1+json", "{}".getBytes());
    Blob signed = Blob.of("application/octet-stream", "a signature".getBytes());
    upstream.pushBlob(REPO, empty);
    upstream.pushBlob(REPO, signed);
    Map<String, Object> subject = new LinkedHashMap<>();
    subject.put("mediaType", OCI_INDEX);
    subject.put("digest", IMAGE.digest());
    subject.put("size", IMAGE.manifest().size());
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", OCI_MANIFEST);
    manifest.put("artifactType", SIGNATURE_TYPE);
    manifest.put("config", empty.descriptor());
    manifest.put("layers", List.of(signed.descriptor()));
    manifest.put("subject", subject);
    Blob referrer = Blob.of(OCI_MANIFEST, JSON.writeValueAsBytes(manifest));
    upstream.pushManifest(REPO, referrer.digest(), referrer);

    Map<String, Object> listed = new LinkedHashMap<>(referrer.descriptor());
    listed.put("artifactType", SIGNATURE_TYPE);
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2);
    index.put("mediaType", OCI_INDEX);
    index.put("manifests", List.of(listed));
    upstream.pushManifest(
        REPO, tagOf(IMAGE.digest()), Blob.of(OCI_INDEX, JSON.writeValueAsBytes(index)));
    return referrer;
  }

  @Test
  void export_namesTheSignatureAndReferrerTags() {
    assertThat(exportRun.out())
        .contains("fetched docker.io/" + REPO + ":" + tagOf(IMAGE.digest()) + ".sig")
        .contains("fetched docker.io/" + REPO + ":" + tagOf(IMAGE.digest()) + " (");
  }

  @Test
  void importedBundle_servedOffline_answersTheSignatureTagAndTheReferrersApi() throws Exception {
    assertServesSignatures(imported);
  }

  @Test
  void preloadedCache_servedOffline_answersTheSignatureTagAndTheReferrersApi() throws Exception {
    assertServesSignatures(preloaded);
  }

  private static void assertServesSignatures(Path data) throws Exception {
    try (InProcessStevedore proxy = InProcessStevedore.on(data).offline(true).start()) {
      URI uri = proxy.uri();
      String signature =
          new Skopeo(work)
              .inspectRaw(Skopeo.dockerRef(uri, REPO, tagOf(IMAGE.digest()) + ".sig"))
              .requireSuccess()
              .output();
      assertThat(signature).isEqualTo(new String(cosignSignature.bytes(), StandardCharsets.UTF_8));

      HttpResponse<String> referrers =
          get(uri, "/v2/" + REPO + "/referrers/" + IMAGE.digest(), OCI_INDEX);
      assertThat(referrers.statusCode()).as(referrers.body()).isEqualTo(200);
      assertThat(referrers.headers().firstValue("Content-Type")).hasValue(OCI_INDEX);
      assertThat(JSON.readTree(referrers.body()).path("manifests").get(0).path("digest").asText())
          .isEqualTo(referrer.digest());

      HttpResponse<String> listed =
          get(uri, "/v2/" + REPO + "/manifests/" + referrer.digest(), OCI_MANIFEST);
      assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
      assertThat(listed.body()).isEqualTo(new String(referrer.bytes(), StandardCharsets.UTF_8));

      HttpResponse<String> none =
          get(uri, "/v2/" + REPO + "/referrers/sha256:" + "0".repeat(64), OCI_INDEX);
      assertThat(none.statusCode()).as(none.body()).isEqualTo(404);
    }
  }

  private static HttpResponse<String> get(URI proxy, String path, String accept) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(proxy.resolve(path))
            .header("Accept", accept)
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
