package dev.stevedore.server.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.core.cache.ImageFetcher.FetchedImage;
import dev.stevedore.core.cache.ManifestContent;
import dev.stevedore.core.cache.RepositoryLinks;
import dev.stevedore.core.cache.StoredManifests;
import dev.stevedore.core.model.Descriptor;
import dev.stevedore.core.model.ImageReference;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.storage.BlobWriter;
import dev.stevedore.storage.FileSystemBlobStore;
import dev.stevedore.storage.FileSystemLinkStore;
import dev.stevedore.storage.FileSystemMediaTypeStore;
import dev.stevedore.storage.FileSystemTagStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleExporterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  private FileSystemBlobStore blobs;
  private StoredManifests manifests;
  private TestBundle content;
  private TestBundle.Image amd64;
  private TestBundle.Image arm64;
  private TestBundle.Blob index;
  private TestBundle.Image tool;

  @BeforeEach
  void setUp() throws IOException {
    Path data = work.resolve("data");
    blobs = FileSystemBlobStore.open(data);
    manifests = new StoredManifests(blobs, FileSystemMediaTypeStore.open(data));
    content = new TestBundle(3);
    amd64 = content.image(2, 5000);
    arm64 = content.image(1, 700);
    index = content.index(amd64, arm64);
    tool = content.image(1, 513);
  }

  @Test
  void export_writesLayoutIndexAndEveryBlobOnce() throws IOException {
    FetchedImage web = cached("web:1", index, amd64, arm64);
    FetchedImage webAgain = cached("docker.io/library/web:1", index, amd64, arm64);
    FetchedImage toolImage =
        cached("ghcr.io/org/tool@" + tool.manifest().digest(), tool.manifest(), tool);
    Path out = work.resolve("bundle.tar");

    BundleExporter.Report report =
        new BundleExporter(blobs).write(out, List.of(web, webAgain, toolImage));

    Map<String, byte[]> entries = TarTest.readAll(Files.readAllBytes(out));
    List<String> names = new ArrayList<>(entries.keySet());
    assertThat(names.subList(0, 3))
        .containsExactly("oci-layout", "index.json", "stevedore-bundle.json");
    assertThat(names).doesNotHaveDuplicates().hasSize(3 + 11);
    assertThat(report.images()).isEqualTo(2);
    assertThat(report.blobs()).isEqualTo(11);
    for (TestBundle.Blob blob : all()) {
      assertThat(entries.get("blobs/sha256/" + blob.digest().hex())).isEqualTo(blob.bytes());
    }
    assertThat(new String(entries.get("oci-layout")))
        .isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
    JsonNode indexJson = JSON.readTree(entries.get("index.json"));
    assertThat(indexJson.path("schemaVersion").asInt()).isEqualTo(2);
    assertThat(indexJson.path("mediaType").asText()).isEqualTo(MediaTypes.OCI_INDEX);
    JsonNode first = indexJson.path("manifests").get(0);
    assertThat(first.path("mediaType").asText()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(first.path("digest").asText()).isEqualTo(index.digest().toString());
    assertThat(first.path("size").asLong()).isEqualTo(index.bytes().length);
    assertThat(first.path("annotations").path("io.containerd.image.name").asText())
        .isEqualTo("docker.io/library/web:1");
    assertThat(first.path("annotations").path("org.opencontainers.image.ref.name").asText())
        .isEqualTo("docker.io/library/web:1");
    assertThat(
            indexJson
                .path("manifests")
                .get(1)
                .path("annotations")
                .path("io.containerd.image.name")
                .asText())
        .isEqualTo("ghcr.io/org/tool@" + tool.manifest().digest());
    assertThat(Files.exists(work.resolve("bundle.tar.part"))).isFalse();
  }

  @Test
  void sameImages_sameBytes() throws IOException {
    List<FetchedImage> images = List.of(cached("web:1", index, amd64, arm64));
    Path one = new BundleExporter(blobs).write(work.resolve("one.tar"), images).file();
    Path two = new BundleExporter(blobs).write(work.resolve("two.tar"), images).file();

    assertThat(Files.readAllBytes(one)).isEqualTo(Files.readAllBytes(two));
  }

  @Test
  void exportThenImport_intoAnotherDataDirectory() throws IOException {
    Path out = work.resolve("bundle.tar");
    new BundleExporter(blobs).write(out, List.of(cached("web:1", index, amd64, arm64)));
    Path other = work.resolve("other");
    FileSystemBlobStore otherBlobs = FileSystemBlobStore.open(other);
    FileSystemTagStore otherTags = FileSystemTagStore.open(other);
    StoredManifests otherManifests =
        new StoredManifests(otherBlobs, FileSystemMediaTypeStore.open(other));
    BundleImporter importer =
        new BundleImporter(
            otherBlobs,
            otherManifests,
            otherTags,
            new RepositoryLinks(
                FileSystemLinkStore.open(other),
                otherManifests,
                Runnable::run,
                Clock.systemUTC(),
                RepositoryLinks.DEFAULT_NEGATIVE_TTL),
            Clock.systemUTC());

    BundleImporter.Report report = importer.importBundle(out);

    assertThat(report.blobsAdded()).isEqualTo(8);
    assertThat(otherTags.get("docker.io", "library/web", "1").orElseThrow().digest())
        .isEqualTo(index.digest());
  }

  @Test
  void blobMissingFromTheCache_failsAndLeavesNoFile() throws IOException {
    FetchedImage web = cached("web:1", index, amd64, arm64);
    blobs.delete(arm64.layers().get(0).digest());
    Path out = work.resolve("bundle.tar");

    assertThatThrownBy(() -> new BundleExporter(blobs).write(out, List.of(web)))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining(arm64.layers().get(0).digest().toString());
    assertThat(Files.exists(out)).isFalse();
    assertThat(Files.exists(work.resolve("bundle.tar.part"))).isFalse();
  }

  @Test
  void existingFile_isReplacedWhole() throws IOException {
    Path out = Files.writeString(work.resolve("bundle.tar"), "old content");

    new BundleExporter(blobs).write(out, List.of(cached("tool:2", tool.manifest(), tool)));

    assertThat(TarTest.readAll(Files.readAllBytes(out))).containsKey("index.json");
  }

  private List<TestBundle.Blob> all() {
    List<TestBundle.Blob> all = new ArrayList<>(amd64.all());
    all.addAll(arm64.all());
    all.add(index);
    all.addAll(tool.all());
    return all;
  }

  /** Puts an image into the cache and describes it as ImageFetcher would. */
  private FetchedImage cached(String name, TestBundle.Blob top, TestBundle.Image... images)
      throws IOException {
    List<ManifestContent> stored = new ArrayList<>();
    stored.add(manifests.store(top.digest(), top.bytes(), top.mediaType()));
    List<Descriptor> blobDescriptors = new ArrayList<>();
    for (TestBundle.Image image : images) {
      if (image.manifest() != top) {
        stored.add(
            manifests.store(
                image.manifest().digest(), image.manifest().bytes(), image.manifest().mediaType()));
      }
      List<TestBundle.Blob> parts = new ArrayList<>(image.layers());
      parts.add(0, image.config());
      for (TestBundle.Blob part : parts) {
        try (BlobWriter writer = blobs.create(part.digest())) {
          writer.write(ByteBuffer.wrap(part.bytes()));
          writer.commit();
        }
        blobDescriptors.add(
            new Descriptor(part.mediaType(), part.digest(), part.bytes().length, Optional.empty()));
      }
    }
    return new FetchedImage(ImageReference.parse(name), stored, blobDescriptors);
  }
}
