package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.cli.StevedoreCommand;
import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.Containerd;
import dev.stevedore.server.it.support.CtrRequests;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.Platform;
import dev.stevedore.server.it.support.ProcessResult;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real containerd pulls through Stevedore with the hosts.toml files that {@code stevedore
 * containerd-config} writes. Two independent upstreams (registry + token server + CDN front each)
 * play docker.io and ghcr.io; the real endpoints in the files' {@code server} lines are unreachable
 * here, so every pull must succeed through the mirror alone, routed by containerd's {@code ?ns=}.
 *
 * <p>Each pull is checked from both ends: containerd's debug log ({@link CtrRequests}) shows what
 * it asked of whom, the upstreams' fronts show what Stevedore fetched where. One containerd serves
 * all tests, one namespace per test; its namespaces do not share content (see {@link Containerd}).
 */
class ContainerdMirrorIT {
  private static final TestImages IMAGES = new TestImages(4).layerSizes(50_000, 200_000);
  private static final TestImage WEB = IMAGES.ociIndex();
  private static final TestImage SOLO = IMAGES.ociIndex();
  private static final TestImage APP = IMAGES.dockerManifestList();
  private static final TestImage TOOL = IMAGES.ociIndex();
  private static final TestImage SHARED = IMAGES.ociIndex();
  private static final String ALL_PLATFORMS = "--all-platforms";

  @TempDir static Path work;
  private static Containerd containerd;
  private static Upstream hub;
  private static Upstream ghcr;
  private static InProcessStevedore proxy;
  private static Path hostsDir;

  @BeforeAll
  static void start() throws Exception {
    containerd = Containerd.start();

    hub = Upstream.start(Files.createDirectories(work.resolve("docker.io")));
    ghcr = Upstream.start(Files.createDirectories(work.resolve("ghcr.io")));
    hub.push("library/web", "1", WEB);
    hub.push("library/solo", "1", SOLO);
    hub.push("library/app", "3", APP);
    ghcr.push("org/tool", "2", TOOL);
    ghcr.push("org/shared", "4", SHARED);

    proxy =
        InProcessStevedore.on(work.resolve("stevedore-data"))
            .upstream("docker.io", hub.uri())
            .upstream("ghcr.io", ghcr.uri())
            .start();

    hostsDir = work.resolve("certs.d");
    int exitCode =
        StevedoreCommand.run(
            "containerd-config",
            "--mirror",
            mirror(),
            "--registry",
            "docker.io",
            "--registry",
            "ghcr.io",
            "--out",
            hostsDir.toString());
    assertThat(exitCode).isZero();
    assertThat(hostsDir.resolve("docker.io/hosts.toml"))
        .content()
        .contains("server = \"https://registry-1.docker.io\"", "[host.\"" + mirror() + "\"]");
    assertThat(hostsDir.resolve("ghcr.io/hosts.toml"))
        .content()
        .contains("server = \"https://ghcr.io\"", "[host.\"" + mirror() + "\"]");
  }

  @AfterAll
  static void stop() {
    try {
      if (containerd != null) {
        containerd.close();
      }
    } finally {
      if (proxy != null) {
        proxy.close();
      }
      if (hub != null) {
        hub.close();
      }
      if (ghcr != null) {
        ghcr.close();
      }
    }
  }

  @BeforeEach
  void resetCounters() {
    hub.resetCounters();
    ghcr.resetCounters();
  }

  @Test
  void ctrPull_dockerHubShortName_throughMirror() {
    CtrRequests ctr = pull("hub", "docker.io/library/web:1", ALL_PLATFORMS);

    assertThat(containerd.images("hub")).containsEntry("docker.io/library/web:1", WEB.digest());
    assertThat(containerd.content("hub")).containsAll(allDigests(WEB));
    assertOnlyMirrorAsked(ctr, "docker.io");
    assertThat(ctr.requestLines())
        .as("containerd resolves the tag with one HEAD, no GET fallback, then fetches by digest")
        .startsWith("HEAD " + mirror() + "/v2/library/web/manifests/1?ns=docker.io")
        .doesNotContain("GET " + mirror() + "/v2/library/web/manifests/1?ns=docker.io")
        .containsAll(blobGets("library/web", "docker.io", WEB));
    assertThat(hub.front().requestLog())
        .as("docker.io front")
        .anyMatch(line -> line.startsWith("FRONT GET /v2/library/web/manifests/"));
    assertThat(hub.front().cdnBytes()).as(hub.diagnostics()).isEqualTo(WEB.blobBytes());
    assertThat(hub.front().authorizationViolations()).isEmpty();
    assertThat(ghcr.front().requestLog()).as("ghcr.io front").isEmpty();
    assertThat(ghcr.tokens().requestCount()).isZero();
  }

  @Test
  void ctrPull_unqualifiedDockerHubName_isNormalisedToLibrary() {
    CtrRequests ctr = pull("solo", "docker.io/solo:1", ALL_PLATFORMS);

    assertThat(containerd.images("solo")).containsEntry("docker.io/solo:1", SOLO.digest());
    assertThat(containerd.content("solo")).containsAll(allDigests(SOLO));
    assertOnlyMirrorAsked(ctr, "docker.io");
    assertThat(ctr.requestLines())
        .as("ctr sends the name as given")
        .startsWith("HEAD " + mirror() + "/v2/solo/manifests/1?ns=docker.io");
    assertThat(hub.front().requestLog())
        .as("docker.io front")
        .anyMatch(line -> line.startsWith("FRONT GET /v2/library/solo/manifests/"))
        .noneMatch(line -> line.contains("/v2/solo/"));
    assertThat(ghcr.front().requestLog()).as("ghcr.io front").isEmpty();
  }

  @Test
  void ctrPull_ghcrImage_routedToSecondUpstream() {
    CtrRequests ctr = pull("ghcr", "ghcr.io/org/tool:2", ALL_PLATFORMS);

    assertThat(containerd.images("ghcr")).containsEntry("ghcr.io/org/tool:2", TOOL.digest());
    assertThat(containerd.content("ghcr")).containsAll(allDigests(TOOL));
    assertOnlyMirrorAsked(ctr, "ghcr.io");
    assertThat(ctr.requestLines()).containsAll(blobGets("org/tool", "ghcr.io", TOOL));
    assertThat(ghcr.front().requestLog())
        .as("ghcr.io front")
        .anyMatch(line -> line.startsWith("FRONT GET /v2/org/tool/manifests/"));
    assertThat(ghcr.front().cdnBytes()).as(ghcr.diagnostics()).isEqualTo(TOOL.blobBytes());
    assertThat(ghcr.front().authorizationViolations()).isEmpty();
    assertThat(hub.front().requestLog()).as("docker.io front").isEmpty();
    assertThat(hub.tokens().requestCount()).isZero();
  }

  @Test
  void ctrPull_singlePlatform_unpacks() {
    CtrRequests ctr = pull("unpack", "docker.io/library/app:3");

    assertThat(containerd.images("unpack")).containsEntry("docker.io/library/app:3", APP.digest());
    assertOnlyMirrorAsked(ctr, "docker.io");
    List<String> amd64 = digests(APP.platform(Platform.LINUX_AMD64).blobs());
    List<String> arm64 = digests(APP.platform(Platform.LINUX_ARM64).blobs());
    assertThat(containerd.content("unpack")).containsAll(amd64).doesNotContainAnyElementsOf(arm64);
    assertThat(containerd.snapshots("unpack"))
        .as("one committed snapshot per layer")
        .hasSize(APP.platform(Platform.LINUX_AMD64).layers().size())
        .allSatisfy((key, kind) -> assertThat(kind).isEqualTo("Committed"));
    assertThat(containerd.mounts()).as("left mounted").isEmpty();
    assertThat(hub.front().requestLog())
        .as("only linux/amd64 blobs are fetched upstream")
        .anyMatch(line -> amd64.stream().anyMatch(line::contains))
        .noneMatch(line -> arm64.stream().anyMatch(line::contains));
    assertThat(ghcr.front().requestLog()).as("ghcr.io front").isEmpty();
  }

  @Test
  void ctrPull_sameImageInAnotherNamespace_servedFromStevedoresCache() {
    pull("first", "ghcr.io/org/shared:4", ALL_PLATFORMS);
    assertThat(ghcr.front().cdnBytes()).isEqualTo(SHARED.blobBytes());
    ghcr.resetCounters();

    CtrRequests other = pull("other", "ghcr.io/org/shared:4", ALL_PLATFORMS);

    assertThat(containerd.images("other")).containsEntry("ghcr.io/org/shared:4", SHARED.digest());
    assertThat(containerd.content("other")).containsAll(allDigests(SHARED));
    assertOnlyMirrorAsked(other, "ghcr.io");
    assertThat(other.requestLines())
        .as("the namespace does not share content: containerd downloads every blob again")
        .containsAll(blobGets("org/shared", "ghcr.io", SHARED));
    assertThat(ghcr.front().blobRedirects()).as(ghcr.diagnostics()).isZero();
    assertThat(ghcr.front().cdnRequests()).as(ghcr.diagnostics()).isZero();
    assertThat(hub.front().requestLog()).as("docker.io front").isEmpty();
  }

  private static CtrRequests pull(String namespace, String reference, String... extra) {
    ProcessResult result =
        containerd
            .pull(namespace, hostsDir, reference, extra)
            .requireSuccess(
                () ->
                    "== docker.io upstream ==\n"
                        + hub.diagnostics()
                        + "\n== ghcr.io upstream ==\n"
                        + ghcr.diagnostics()
                        + "\n== containerd log ==\n"
                        + containerd.log());
    return CtrRequests.parse(result.output());
  }

  /**
   * containerd asked Stevedore only (never the hosts.toml {@code server}), always with {@code
   * ?ns=REGISTRY}; every answer was a 200 that named the namespace in {@code OCI-Namespace}.
   */
  private static void assertOnlyMirrorAsked(CtrRequests ctr, String registry) {
    assertThat(ctr.requestLines())
        .isNotEmpty()
        .allSatisfy(
            line ->
                assertThat(line)
                    .matches("(HEAD|GET) " + Pattern.quote(mirror() + "/v2/") + "\\S+")
                    .endsWith("?ns=" + registry));
    assertThat(ctr.responseLines())
        .hasSameSizeAs(ctr.requestLines())
        .allSatisfy(line -> assertThat(line).startsWith("200 OK "));
    assertThat(ctr.responseHeader("oci-namespace")).containsOnly(registry);
  }

  private static String mirror() {
    return proxy.uri().toString();
  }

  private static List<String> blobGets(String name, String registry, TestImage image) {
    return image.blobs().stream()
        .map(
            blob ->
                "GET " + mirror() + "/v2/" + name + "/blobs/" + blob.digest() + "?ns=" + registry)
        .toList();
  }

  /** The index, every platform manifest, config and layer. */
  private static List<String> allDigests(TestImage image) {
    List<String> digests = new ArrayList<>();
    digests.add(image.digest());
    digests.addAll(digests(image.childManifests()));
    digests.addAll(digests(image.blobs()));
    return digests;
  }

  private static List<String> digests(List<Blob> blobs) {
    return blobs.stream().map(Blob::digest).toList();
  }
}
