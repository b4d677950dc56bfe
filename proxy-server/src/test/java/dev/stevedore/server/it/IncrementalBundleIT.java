package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.bundle.BundleRecord;
import dev.stevedore.server.bundle.BundleScan;
import dev.stevedore.server.cli.CommandRun;
import dev.stevedore.server.it.support.Blob;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The weekly air-gap routine with real files and tools: a full export of an image set, then, after
 * one image of the set got a new version, an export {@code --since} the full bundle that carries
 * only the new version's blobs; both imported in order into a fresh cache, served offline and
 * pulled intact by skopeo; the increment alone refused by a cache without its base, which stays as
 * it was; {@code bundle verify} and {@code bundle ls} on both files.
 */
class IncrementalBundleIT {
  private static final TestImages IMAGES = new TestImages(1818).layerSizes(50_000, 150_000);
  private static final TestImage WEB = IMAGES.ociIndex();
  private static final TestImage APP = IMAGES.dockerManifestList();
  private static final TestImage APP_V2 = IMAGES.dockerImage();

  @TempDir static Path work;
  private static Path full;
  private static Path increment;
  private static CommandRun incrementalExport;

  @BeforeAll
  static void exportFullThenIncrement() throws Exception {
    try (Upstream upstream = Upstream.start(Files.createDirectories(work.resolve("upstream")))) {
      upstream.push("library/web", "1", WEB);
      upstream.push("team/app", "v1", APP);
      full = work.resolve("full.tar");
      CommandRun export = export(upstream, full, List.of(), "web:1", "team/app:v1");
      assertThat(export.exitCode()).as(export.toString()).isZero();

      upstream.push("team/app", "v2", APP_V2);
      increment = work.resolve("increment.tar");
      incrementalExport =
          export(upstream, increment, List.of(full), "web:1", "team/app:v1", "team/app:v2");
      assertThat(incrementalExport.exitCode()).as(incrementalExport.toString()).isZero();
    }
  }

  private static CommandRun export(
      Upstream upstream, Path output, List<Path> since, String... images) {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "export",
            "--data",
            work.resolve("connected").toString(),
            "--upstream",
            "docker.io=" + upstream.uri(),
            "--output",
            output.toString()));
    for (Path old : since) {
      args.add("--since");
      args.add(old.toString());
    }
    args.addAll(List.of(images));
    return CommandRun.run(args.toArray(String[]::new));
  }

  @Test
  void increment_holdsOnlyTheNewVersionsBlobs() throws IOException {
    BundleScan scan = BundleScan.of(increment, false);
    List<Blob> fresh = new ArrayList<>(APP_V2.blobs());
    fresh.add(APP_V2.manifest());

    assertThat(scan.blobs().keySet())
        .containsExactlyInAnyOrderElementsOf(
            fresh.stream().map(b -> Digest.parse(b.digest())).toList());
    long freshBytes = fresh.stream().mapToLong(b -> b.bytes().length).sum();
    assertThat(scan.blobs().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(freshBytes);
    assertThat(Files.size(increment)).isLessThan(freshBytes + 64 * 1024);
    BundleRecord record = scan.record().orElseThrow();
    assertThat(record.buildsOn()).containsExactly(Digest.sha256(Files.readAllBytes(full)));
    assertThat(record.images())
        .extracting(BundleRecord.Image::name)
        .containsExactly(
            "docker.io/library/web:1", "docker.io/team/app:v1", "docker.io/team/app:v2");
    assertThat(incrementalExport.out())
        .contains("3 images, " + fresh.size() + " manifests and blobs written")
        .contains(": the 1 bundles it builds on hold them");
  }

  @Test
  void fullThenIncrement_importedIntoAFreshCache_servesEveryImageOffline() throws Exception {
    Path offline = work.resolve("offline");
    for (Path bundle : List.of(full, increment)) {
      CommandRun imported =
          CommandRun.run("import", "--data", offline.toString(), bundle.toString());
      assertThat(imported.exitCode()).as(imported.toString()).isZero();
    }

    try (InProcessStevedore proxy = InProcessStevedore.on(offline).offline(true).start()) {
      URI uri = proxy.uri();
      for (Map.Entry<String, TestImage> image :
          Map.of("library/web:1", WEB, "team/app:v1", APP, "team/app:v2", APP_V2).entrySet()) {
        String[] nameAndTag = image.getKey().split(":");
        Path pulled = work.resolve("pull-" + System.nanoTime());
        new Skopeo(work)
            .copyAll(Skopeo.dockerRef(uri, nameAndTag[0], nameAndTag[1]), pulled)
            .requireSuccess();

        assertThat(Digest.sha256(Files.readAllBytes(pulled.resolve("manifest.json"))).toString())
            .as(image.getKey())
            .isEqualTo(image.getValue().digest());
        for (Blob blob : image.getValue().blobs()) {
          assertThat(pulled.resolve(blob.digest().substring("sha256:".length())))
              .hasBinaryContent(blob.bytes());
        }
      }
    }
  }

  @Test
  void increment_intoACacheWithoutItsBase_isRefusedInOneLine_cacheUnchanged() throws IOException {
    Path fresh = work.resolve("fresh");
    Files.createDirectories(fresh);
    Map<String, Long> before = files(fresh);

    CommandRun result = CommandRun.run("import", "--data", fresh.toString(), increment.toString());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err().lines()).as(result.toString()).hasSize(1);
    assertThat(result.err())
        .startsWith("stevedore: cannot import " + increment + ": bundle is incremental")
        .contains("the cache lacks")
        .contains(Digest.sha256(Files.readAllBytes(full)).toString());
    Map<String, Long> after = files(fresh);
    after.keySet().removeIf(name -> !isContent(name));
    before.keySet().removeIf(name -> !isContent(name));
    assertThat(after).isEqualTo(before).isEmpty();
  }

  @Test
  void verify_acceptsBoth_andLsShowsTheBase() throws IOException {
    for (Path bundle : List.of(full, increment)) {
      CommandRun verify = CommandRun.run("bundle", "verify", bundle.toString());
      assertThat(verify.exitCode()).as(verify.toString()).isZero();
      assertThat(verify.out().lines()).hasSize(1);
      assertThat(verify.out()).startsWith("bundle " + bundle + " is intact: ");
    }

    CommandRun ls = CommandRun.run("bundle", "ls", increment.toString());

    assertThat(ls.exitCode()).as(ls.toString()).isZero();
    assertThat(ls.out())
        .contains("image docker.io/team/app:v1 " + APP.digest() + " linux/amd64,linux/arm64 ")
        .contains("image docker.io/team/app:v2 " + APP_V2.digest() + " linux/amd64 ")
        .contains("builds on " + Digest.sha256(Files.readAllBytes(full)))
        .contains("signed unsigned");
  }

  @Test
  void verify_refusesATamperedByte() throws IOException {
    byte[] tar = Files.readAllBytes(increment);
    Blob layer = APP_V2.platforms().get(0).layers().get(0);
    int at = indexOf(tar, layer.bytes());
    tar[at + layer.bytes().length / 2] ^= 0x10;
    Path tampered = Files.write(work.resolve("tampered.tar"), tar);

    CommandRun verify = CommandRun.run("bundle", "verify", tampered.toString());

    assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(2);
    assertThat(verify.err().lines()).hasSize(1);
    assertThat(verify.err())
        .contains("bundle is corrupt: blobs/sha256/" + layer.digest().substring(7));
  }

  private static boolean isContent(String name) {
    return Stream.of("blobs", "mediatypes", "repositories", "tags", "tmp")
        .anyMatch(dir -> name.startsWith(dir + "/"));
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

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("bytes not in the bundle");
  }
}
