package dev.stevedore.server.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.cache.RepositoryLinks;
import dev.stevedore.core.cache.StoredManifests;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.storage.BlobReader;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.FileSystemBlobStore;
import dev.stevedore.storage.FileSystemLinkStore;
import dev.stevedore.storage.FileSystemMediaTypeStore;
import dev.stevedore.storage.FileSystemTagStore;
import dev.stevedore.storage.TagRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Imports hand-built bundles into a data directory with the real file-system stores. */
class BundleImporterTest {
  private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");

  @TempDir Path work;
  private Path data;
  private FileSystemBlobStore blobs;
  private StoredManifests manifests;
  private FileSystemTagStore tags;
  private FileSystemLinkStore linkStore;
  private BundleImporter importer;

  private TestBundle bundle;
  private TestBundle.Image amd64;
  private TestBundle.Image arm64;
  private TestBundle.Blob webIndex;
  private TestBundle.Image tool;

  @BeforeEach
  void setUp() throws IOException {
    data = work.resolve("data");
    blobs = FileSystemBlobStore.open(data);
    manifests = new StoredManifests(blobs, FileSystemMediaTypeStore.open(data));
    tags = FileSystemTagStore.open(data);
    linkStore = FileSystemLinkStore.open(data);
    importer =
        new BundleImporter(
            blobs,
            manifests,
            tags,
            new RepositoryLinks(
                linkStore, manifests, Runnable::run, Clock.systemUTC(), Duration.ofSeconds(30)),
            Clock.fixed(NOW, ZoneOffset.UTC));

    bundle = new TestBundle(7);
    amd64 = bundle.image(2, 3000);
    arm64 = bundle.image(2, 2000);
    webIndex = bundle.index(amd64, arm64);
    tool = bundle.image(1, 1000);
    bundle.name(webIndex, "docker.io/library/web:1").name(tool.manifest(), "ghcr.io/org/tool:2");
  }

  @Test
  void import_storesBlobsManifestsAndTags() throws IOException {
    BundleImporter.Report report = importer.importBundle(bundle.write(work.resolve("b.tar")));

    assertThat(report.images())
        .extracting(BundleImporter.ImportedImage::name)
        .containsExactly("docker.io/library/web:1", "ghcr.io/org/tool:2");
    assertThat(report.blobsAdded()).isEqualTo(12); // index, 3 manifests, 3 configs, 5 layers
    assertThat(report.blobsPresent()).isZero();
    assertThat(tags.get("docker.io", "library/web", "1"))
        .contains(new TagRecord(webIndex.digest(), MediaTypes.OCI_INDEX, NOW));
    assertThat(tags.get("ghcr.io", "org/tool", "2"))
        .contains(new TagRecord(tool.manifest().digest(), MediaTypes.OCI_MANIFEST, NOW));
    assertThat(manifests.read(webIndex.digest()).orElseThrow().body()).isEqualTo(webIndex.bytes());
    assertThat(manifests.describe(amd64.manifest().digest()).orElseThrow().mediaType())
        .isEqualTo(MediaTypes.OCI_MANIFEST);
    for (TestBundle.Blob layer : arm64.layers()) {
      assertThat(readBlob(layer.digest())).isEqualTo(layer.bytes());
    }
  }

  @Test
  void import_linksEachImagesRepositoryToItsContentOnly() throws IOException {
    importer.importBundle(bundle.write(work.resolve("b.tar")));

    for (TestBundle.Image image : List.of(amd64, arm64)) {
      for (TestBundle.Blob blob : image.all()) {
        assertThat(linkStore.has("docker.io", "library/web", blob.digest())).isTrue();
        assertThat(linkStore.has("ghcr.io", "org/tool", blob.digest())).isFalse();
      }
    }
    assertThat(linkStore.has("docker.io", "library/web", webIndex.digest())).isTrue();
    for (TestBundle.Blob blob : tool.all()) {
      assertThat(linkStore.has("ghcr.io", "org/tool", blob.digest())).isTrue();
      assertThat(linkStore.has("docker.io", "library/web", blob.digest())).isFalse();
    }
  }

  @Test
  void importTwice_secondAddsNothing() throws IOException {
    Path file = bundle.write(work.resolve("b.tar"));
    importer.importBundle(file);
    List<Path> before = files(data.resolve("blobs"));

    BundleImporter.Report again = importer.importBundle(file);

    assertThat(again.blobsAdded()).isZero();
    assertThat(again.blobsPresent()).isEqualTo(12);
    assertThat(again.images()).hasSize(2);
    assertThat(files(data.resolve("blobs"))).isEqualTo(before);
  }

  @Test
  void indexJsonAfterTheBlobs_isImportedAlike() throws IOException {
    BundleImporter.Report report =
        importer.importBundle(bundle.indexLast().write(work.resolve("b.tar")));

    assertThat(report.images()).hasSize(2);
    assertThat(tags.get("docker.io", "library/web", "1")).isPresent();
  }

  @Test
  void flippedByteInALayer_isRefused_cacheUntouched() throws IOException {
    Path file =
        Files.write(work.resolve("b.tar"), bundle.tarWithFlippedByte(arm64.layers().get(1)));

    assertThatThrownBy(() -> importer.importBundle(file))
        .isInstanceOf(BundleException.class)
        .hasMessageStartingWith(
            "bundle is corrupt: blobs/sha256/" + arm64.layers().get(1).digest().hex())
        .hasMessageContaining("does not match its digest");
    assertNothingImported();
  }

  @Test
  void flippedByteInABlobAlreadyCached_isStillRefused_cachedBlobKept() throws IOException {
    TestBundle.Blob layer = amd64.layers().get(0);
    importer.importBundle(bundle.write(work.resolve("good.tar")));
    Path file = Files.write(work.resolve("bad.tar"), bundle.tarWithFlippedByte(layer));

    assertThatThrownBy(() -> importer.importBundle(file))
        .hasMessageContaining("does not match its digest");
    assertThat(readBlob(layer.digest())).isEqualTo(layer.bytes());
  }

  @Test
  void truncatedBundle_isRefused_cacheUntouched() throws IOException {
    byte[] tar = bundle.tar();
    for (int cut : new int[] {100, 512 * 3 + 7, tar.length / 2, tar.length - 1024}) {
      Path file = Files.write(work.resolve("cut-" + cut + ".tar"), Arrays.copyOf(tar, cut));

      assertThatThrownBy(() -> importer.importBundle(file))
          .as("cut at %d of %d", cut, tar.length)
          .isInstanceOf(BundleException.class)
          .hasMessageStartingWith("bundle is truncated");
      assertNothingImported();
    }
  }

  @Test
  void missingLayer_isRefused_cacheUntouched() throws IOException {
    TestBundle.Blob layer = arm64.layers().get(0);
    Path file = bundle.without(layer).write(work.resolve("b.tar"));

    assertThatThrownBy(() -> importer.importBundle(file))
        .isInstanceOf(BundleException.class)
        .hasMessage(
            "bundle is incomplete: docker.io/library/web:1 needs layer "
                + layer.digest()
                + ", which is neither in the bundle nor in the cache");
    assertNothingImported();
  }

  @Test
  void missingLayerThatTheCacheHolds_isFine() throws IOException {
    TestBundle.Blob layer = arm64.layers().get(0);
    importer.importBundle(bundle.write(work.resolve("full.tar")));

    BundleImporter.Report report =
        importer.importBundle(bundle.without(layer).write(work.resolve("b.tar")));

    assertThat(report.images()).hasSize(2);
  }

  @Test
  void missingChildManifest_isRefused() throws IOException {
    Path file = bundle.without(amd64.manifest()).write(work.resolve("b.tar"));

    assertThatThrownBy(() -> importer.importBundle(file))
        .hasMessageContaining("needs manifest " + amd64.manifest().digest());
    assertNothingImported();
  }

  @Test
  void symlinkEntry_isRefused_cacheUntouched() throws IOException {
    byte[] good = bundle.tar();
    byte[] tar = Arrays.copyOf(good, good.length + 512);
    int end = good.length - 1024;
    System.arraycopy(TarHeader.encode("blobs/sha256/evil", 0, (byte) '2', 0), 0, tar, end, 512);
    Arrays.fill(tar, end + 512, tar.length, (byte) 0);
    Path file = Files.write(work.resolve("b.tar"), tar);

    assertThatThrownBy(() -> importer.importBundle(file))
        .hasMessageContaining("is a symbolic link");
    assertNothingImported();
  }

  @Test
  void notAnOciLayout_isRefused() throws IOException {
    Path file = work.resolve("x.tar");
    Files.write(file, new byte[1024]);

    assertThatThrownBy(() -> importer.importBundle(file))
        .hasMessageContaining("no oci-layout file");
  }

  @Test
  void imageNamedByDigest_storesManifestsButNoTag() throws IOException {
    TestBundle only = new TestBundle(9);
    TestBundle.Image image = only.image(1, 500);
    String name = "ghcr.io/org/pinned@" + image.manifest().digest();
    only.name(image.manifest(), name);

    BundleImporter.Report report = importer.importBundle(only.write(work.resolve("b.tar")));

    assertThat(report.images()).singleElement().satisfies(i -> assertThat(i.tagged()).isFalse());
    assertThat(manifests.describe(image.manifest().digest())).isPresent();
    assertThat(files(data.resolve("repositories")))
        .as("links, but no tag")
        .isNotEmpty()
        .noneMatch(file -> file.toString().contains("_tags"));
  }

  @Test
  void digestNameThatDisagreesWithTheDescriptor_isRefused() throws IOException {
    TestBundle only = new TestBundle(9);
    TestBundle.Image image = only.image(1, 500);
    only.name(image.manifest(), "ghcr.io/org/pinned@" + image.config().digest());

    assertThatThrownBy(() -> importer.importBundle(only.write(work.resolve("b.tar"))))
        .hasMessageContaining("but points to");
    assertNothingImported();
  }

  @Test
  void unnamedEntriesAndStrayBlobs_areNotKept() throws IOException {
    TestBundle.Image unnamed = bundle.image(1, 100);
    TestBundle.Blob stray = bundle.blob("application/octet-stream", 100);
    bundle.entry(unnamed.manifest(), Map.of(OciLayout.REF_NAME, "latest"));

    BundleImporter.Report report = importer.importBundle(bundle.write(work.resolve("b.tar")));

    assertThat(report.skipped())
        .singleElement()
        .asString()
        .startsWith(unnamed.manifest().digest().toString());
    assertThat(report.blobsUnreferenced()).isEqualTo(4);
    assertThat(blobs.stat(stray.digest())).isEmpty();
    assertThat(blobs.stat(unnamed.manifest().digest())).isEmpty();
  }

  @Test
  void refNameAlone_namesTheImage_whenItIsAFullReference() throws IOException {
    TestBundle only = new TestBundle(11);
    TestBundle.Image image = only.image(1, 100);
    only.entry(image.manifest(), Map.of(OciLayout.REF_NAME, "quay.io/team/thing:7"));

    importer.importBundle(only.write(work.resolve("b.tar")));

    assertThat(tags.get("quay.io", "team/thing", "7"))
        .map(TagRecord::digest)
        .contains(image.manifest().digest());
  }

  @Test
  void descriptorWithoutMediaType_usesTheManifestsOwn() throws IOException {
    TestBundle only = new TestBundle(12);
    TestBundle.Image image = only.image(1, 100);
    TestBundle.Blob untyped = new TestBundle.Blob("", image.manifest().bytes());
    only.entry(untyped, Map.of(OciLayout.IMAGE_NAME, "docker.io/library/untyped:1"));

    importer.importBundle(only.write(work.resolve("b.tar")));

    assertThat(manifests.describe(image.manifest().digest()).map(d -> d.mediaType()))
        .contains(MediaTypes.OCI_MANIFEST);
  }

  @Test
  void manifestDeclaredAsHtml_isRefused_cacheUntouched() throws IOException {
    TestBundle only = new TestBundle(13);
    TestBundle.Image image = only.image(1, 100);
    TestBundle.Blob html = new TestBundle.Blob("text/html", image.manifest().bytes());
    only.entry(html, Map.of(OciLayout.IMAGE_NAME, "docker.io/library/web:1"));

    assertThatThrownBy(() -> importer.importBundle(only.write(work.resolve("b.tar"))))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("invalid")
        .hasMessageContaining("text/html");
    assertNothingImported();
  }

  @Test
  void missingFile_isRefused() {
    assertThatThrownBy(() -> importer.importBundle(work.resolve("nope.tar")))
        .hasMessage("no such file");
  }

  private void assertNothingImported() throws IOException {
    assertThat(files(data.resolve("blobs"))).as("blobs").isEmpty();
    assertThat(files(data.resolve("mediatypes"))).as("media types").isEmpty();
    assertThat(files(data.resolve("repositories"))).as("tags").isEmpty();
    assertThat(tags.get("docker.io", "library/web", "1")).isEqualTo(Optional.empty());
    assertThat(files(data.resolve("tmp"))).as("temp files").isEmpty();
  }

  private static List<Path> files(Path root) throws IOException {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private byte[] readBlob(Digest digest) throws IOException {
    try (BlobReader reader = blobs.open(digest).orElseThrow()) {
      return reader.readAllBytes();
    }
  }
}
