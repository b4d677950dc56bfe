package dev.stevedore.server.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.cache.ImageFetcher.FetchedImage;
import dev.stevedore.core.cache.ManifestContent;
import dev.stevedore.core.cache.RepositoryLinks;
import dev.stevedore.core.cache.StoredManifests;
import dev.stevedore.core.model.Descriptor;
import dev.stevedore.core.model.ImageReference;
import dev.stevedore.storage.BlobWriter;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.FileSystemBlobStore;
import dev.stevedore.storage.FileSystemLinkStore;
import dev.stevedore.storage.FileSystemMediaTypeStore;
import dev.stevedore.storage.FileSystemTagStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental bundles through real files: the record a full and an incremental export write, what
 * the increment carries, import of both in order, the refusal of an increment whose base the cache
 * lacks, and {@code bundle ls}/{@code bundle verify} on both.
 */
class IncrementalBundleTest {
  @TempDir Path work;
  private FileSystemBlobStore blobs;
  private StoredManifests manifests;
  private TestBundle content;
  private TestBundle.Image amd64;
  private TestBundle.Image arm64;
  private TestBundle.Blob v1;
  private TestBundle.Image amd64v2;
  private TestBundle.Blob v2;
  private Path full;
  private Path increment;

  @BeforeEach
  void setUp() throws IOException {
    Path data = work.resolve("connected");
    blobs = FileSystemBlobStore.open(data);
    manifests = new StoredManifests(blobs, FileSystemMediaTypeStore.open(data));
    content = new TestBundle(18);
    amd64 = content.image(2, 5000);
    arm64 = content.image(1, 7000);
    v1 = content.index(amd64, arm64);
    amd64v2 = content.image(1, 900);
    v2 = content.index(amd64v2, arm64);

    full = work.resolve("full.tar");
    new BundleExporter(blobs).write(full, List.of(cached("web:1", v1, amd64, arm64)));
    increment = work.resolve("increment.tar");
    new BundleExporter(blobs)
        .write(
            increment,
            List.of(cached("web:1", v1, amd64, arm64), cached("web:2", v2, amd64v2, arm64)),
            BundleExporter.Bases.of(List.of(BundleScan.of(full, false))),
            BundleProgress.NONE);
  }

  @Test
  void fullExport_recordsItsImages_buildsOnNothing() throws IOException {
    BundleRecord record = BundleScan.of(full, false).record().orElseThrow();

    assertThat(record.format()).isEqualTo(1);
    assertThat(record.buildsOn()).isEmpty();
    assertThat(record.omitted()).isEmpty();
    assertThat(record.incremental()).isFalse();
    long size = v1.bytes().length;
    for (TestBundle.Image image : List.of(amd64, arm64)) {
      size += image.all().stream().mapToLong(b -> b.bytes().length).sum();
    }
    assertThat(record.images())
        .containsExactly(
            new BundleRecord.Image(
                "docker.io/library/web:1",
                v1.digest(),
                List.of("linux/arch0", "linux/arch1"),
                size));
  }

  @Test
  void incrementalExport_holdsOnlyTheNewBlobs_andNamesItsBase() throws IOException {
    BundleScan scan = BundleScan.of(increment, false);
    BundleRecord record = scan.record().orElseThrow();

    List<TestBundle.Blob> fresh = new ArrayList<>(amd64v2.all());
    fresh.add(v2);
    assertThat(scan.blobs().keySet())
        .containsExactlyInAnyOrderElementsOf(fresh.stream().map(TestBundle.Blob::digest).toList());
    assertThat(scan.blobs().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(fresh.stream().mapToLong(b -> b.bytes().length).sum());
    assertThat(record.buildsOn()).containsExactly(Digest.sha256(Files.readAllBytes(full)));
    List<TestBundle.Blob> shared = new ArrayList<>(amd64.all());
    shared.addAll(arm64.all());
    shared.add(v1);
    assertThat(record.omitted())
        .containsExactlyInAnyOrderElementsOf(shared.stream().map(TestBundle.Blob::digest).toList());
    assertThat(record.images())
        .extracting(BundleRecord.Image::name)
        .containsExactly("docker.io/library/web:1", "docker.io/library/web:2");
  }

  @Test
  void importFullThenIncrement_servesBothVersions() throws IOException {
    Cache offline = new Cache(work.resolve("offline"));

    offline.importer().importBundle(full);
    BundleImporter.Report report = offline.importer().importBundle(increment);

    assertThat(report.images())
        .extracting(BundleImporter.ImportedImage::name)
        .containsExactly("docker.io/library/web:1", "docker.io/library/web:2");
    assertThat(report.blobsAdded()).isEqualTo(4);
    for (TestBundle.Blob blob : List.of(v2, amd64v2.manifest(), amd64v2.layers().get(0))) {
      assertThat(offline.blobs.stat(blob.digest())).isPresent();
    }
  }

  @Test
  void incrementIntoACacheWithoutItsBase_isRefusedInOneLine_cacheUnchanged() throws IOException {
    Cache offline = new Cache(work.resolve("offline"));
    Map<String, Long> before = files(offline.dir);

    assertThatThrownBy(() -> offline.importer().importBundle(increment))
        .isInstanceOf(BundleException.class)
        .hasMessageStartingWith("bundle is incremental and the cache lacks 8 of the 8 blobs")
        .hasMessageContaining(Digest.sha256(Files.readAllBytes(full)).toString())
        .message()
        .doesNotContain("\n");
    assertThat(files(offline.dir)).isEqualTo(before);
  }

  @Test
  void incrementOnAnIncrement_leavesOutWhatEitherHolds_andImportsAfterBoth() throws IOException {
    TestBundle.Image amd64v3 = content.image(1, 300);
    TestBundle.Blob v3 = content.index(amd64v3, arm64);
    Path third = work.resolve("third.tar");
    BundleExporter.Report report =
        new BundleExporter(blobs)
            .write(
                third,
                List.of(cached("web:2", v2, amd64v2, arm64), cached("web:3", v3, amd64v3, arm64)),
                BundleExporter.Bases.of(List.of(BundleScan.of(increment, false))),
                BundleProgress.NONE);

    // the increment omits arm64 (its base holds it) and holds v2: both are left out again
    assertThat(report.blobs()).isEqualTo(4);
    assertThat(report.skipped()).isEqualTo(7);
    assertThat(report.record().buildsOn())
        .containsExactly(Digest.sha256(Files.readAllBytes(increment)));
    Cache offline = new Cache(work.resolve("offline"));
    offline.importer().importBundle(full);
    offline.importer().importBundle(increment);
    assertThat(offline.importer().importBundle(third).images()).hasSize(2);
  }

  @Test
  void verify_acceptsFullAndIncrementalBundles() throws IOException {
    assertThat(new BundleVerification().verify(full).images())
        .extracting(BundleRecord.Image::digest)
        .containsExactly(v1.digest());
    assertThat(new BundleVerification().verify(increment).images())
        .extracting(BundleRecord.Image::digest)
        .containsExactly(v1.digest(), v2.digest());
  }

  @Test
  void verify_refusesATamperedBlobByte() throws IOException {
    byte[] tar = Files.readAllBytes(full);
    byte[] layer = arm64.layers().get(0).bytes();
    tar[TestBundle.indexOf(tar, layer) + layer.length / 2] ^= 0x01;
    Path tampered = Files.write(work.resolve("tampered.tar"), tar);

    assertThatThrownBy(() -> new BundleVerification().verify(tampered))
        .isInstanceOf(BundleException.class)
        .hasMessageStartingWith(
            "bundle is corrupt: blobs/sha256/" + arm64.layers().get(0).digest().hex());
  }

  @Test
  void verify_refusesAMissingBlobThatIsNotOmitted() throws IOException {
    Path bundle =
        content
            .name(v1, "docker.io/library/web:1")
            .without(amd64.config())
            .write(work.resolve("incomplete.tar"));

    assertThatThrownBy(() -> new BundleVerification().verify(bundle))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("needs config " + amd64.config().digest());
  }

  @Test
  void verify_runsFurtherChecksLast() throws IOException {
    BundleVerification.Check refuse =
        scan -> {
          throw new BundleException("unsigned " + scan.fileDigest());
        };

    assertThatThrownBy(() -> new BundleVerification(List.of(refuse)).verify(full))
        .hasMessage("unsigned " + Digest.sha256(Files.readAllBytes(full)));
  }

  @Test
  void ls_showsImagesPlatformsSizesBaseAndSigner() throws IOException {
    List<String> lines = BundleListing.of(increment);

    assertThat(lines.get(0)).isEqualTo("bundle " + Digest.sha256(Files.readAllBytes(increment)));
    assertThat(lines.get(1))
        .startsWith("image docker.io/library/web:1 " + v1.digest() + " linux/arch0,linux/arch1 ");
    assertThat(lines.get(2)).startsWith("image docker.io/library/web:2 " + v2.digest());
    assertThat(lines.get(3)).startsWith("holds 4 manifests and blobs, ");
    assertThat(lines.get(4))
        .isEqualTo(
            "builds on "
                + Digest.sha256(Files.readAllBytes(full))
                + " (leaves out 8 manifests and blobs they hold)");
    assertThat(lines.get(5)).isEqualTo("signed unsigned");
    assertThat(BundleListing.of(full)).contains("builds on nothing (a full bundle)");
  }

  @Test
  void ls_ofAForeignLayout_walksTheIndex() throws IOException {
    Path bundle = content.name(v1, "docker.io/library/web:1").write(work.resolve("foreign.tar"));

    assertThat(BundleListing.of(bundle))
        .anyMatch(
            line ->
                line.startsWith(
                    "image docker.io/library/web:1 " + v1.digest() + " linux/arch0,linux/arch1"));
  }

  @Test
  void signer_readsTheSignaturesKeyId() {
    assertThat(BundleListing.signer(Optional.empty())).isEqualTo("unsigned");
    assertThat(BundleListing.signer(Optional.of(bytes("{\"keyId\":\"SHA256:abc\"}"))))
        .isEqualTo("by SHA256:abc");
    assertThat(BundleListing.signer(Optional.of(bytes("not json")))).isEqualTo("(key not named)");
  }

  @Test
  void record_roundTripsThroughJson() {
    BundleRecord record =
        new BundleRecord(
            1,
            List.of(
                new BundleRecord.Image("docker.io/a/b:1", v1.digest(), List.of("linux/s390x"), 42)),
            List.of(v2.digest()),
            List.of(amd64.config().digest()));

    assertThat(BundleRecord.parse(record.toJson())).isEqualTo(record);
    assertThatThrownBy(() -> BundleRecord.parse(bytes("{\"format\":2}")))
        .hasMessageContaining("has format 2");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, Long> files(Path dir) throws IOException {
    Map<String, Long> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        files.put(dir.relativize(file).toString(), Files.size(file));
      }
    }
    return files;
  }

  /** A fresh data directory to import into. */
  private static final class Cache {
    final Path dir;
    final FileSystemBlobStore blobs;
    final BundleImporter importer;

    Cache(Path dir) throws IOException {
      this.dir = dir;
      this.blobs = FileSystemBlobStore.open(dir);
      StoredManifests stored = new StoredManifests(blobs, FileSystemMediaTypeStore.open(dir));
      this.importer =
          new BundleImporter(
              blobs,
              stored,
              FileSystemTagStore.open(dir),
              new RepositoryLinks(
                  FileSystemLinkStore.open(dir),
                  stored,
                  Runnable::run,
                  Clock.systemUTC(),
                  RepositoryLinks.DEFAULT_NEGATIVE_TTL),
              Clock.systemUTC());
    }

    BundleImporter importer() {
      return importer;
    }
  }

  /** Puts an image into the connected cache and describes it as ImageFetcher would. */
  private FetchedImage cached(String name, TestBundle.Blob top, TestBundle.Image... images)
      throws IOException {
    List<ManifestContent> stored = new ArrayList<>();
    stored.add(manifests.store(top.digest(), top.bytes(), top.mediaType()));
    List<Descriptor> blobDescriptors = new ArrayList<>();
    for (TestBundle.Image image : images) {
      stored.add(
          manifests.store(
              image.manifest().digest(), image.manifest().bytes(), image.manifest().mediaType()));
      for (TestBundle.Blob part :
          Stream.concat(Stream.of(image.config()), image.layers().stream()).toList()) {
        if (blobs.stat(part.digest()).isEmpty()) {
          try (BlobWriter writer = blobs.create(part.digest())) {
            writer.write(ByteBuffer.wrap(part.bytes()));
            writer.commit();
          }
        }
        blobDescriptors.add(
            new Descriptor(part.mediaType(), part.digest(), part.bytes().length, Optional.empty()));
      }
    }
    return new FetchedImage(ImageReference.parse(name), stored, blobDescriptors);
  }
}
