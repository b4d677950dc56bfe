package dev.stevedore.server.preload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.cache.ManifestContent;
import dev.stevedore.core.cache.StoredBlob;
import dev.stevedore.core.cache.StoredManifests;
import dev.stevedore.core.model.Descriptor;
import dev.stevedore.core.model.ImageReference;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.BlobWriter;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.FileSystemBlobStore;
import dev.stevedore.storage.FileSystemMediaTypeStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageProgressTest {
  @TempDir Path data;
  private StoredManifests manifests;
  private BlobStore blobs;

  @BeforeEach
  void openStore() throws Exception {
    blobs = FileSystemBlobStore.open(data);
    manifests = new StoredManifests(blobs, FileSystemMediaTypeStore.open(data));
  }

  private static final ImageReference IMAGE = ImageReference.parse("alpine:3.19");
  private static final Descriptor CONFIG = blob("config", 1_000);
  private static final Descriptor LAYER = blob("layer", 50_000);

  private static Descriptor blob(String content, long size) {
    return new Descriptor(
        "application/octet-stream",
        Digest.sha256(content.getBytes(StandardCharsets.UTF_8)),
        size,
        Optional.empty());
  }

  private static String json(Descriptor descriptor) {
    return "{\"mediaType\":\"application/octet-stream\",\"digest\":\""
        + descriptor.digest()
        + "\",\"size\":"
        + descriptor.size()
        + "}";
  }

  /** An image manifest of CONFIG and LAYER, stored the way the cache stores it. */
  private ManifestContent storeImageManifest() throws Exception {
    byte[] body =
        ("{\"schemaVersion\":2,\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST
                + "\",\"config\":"
                + json(CONFIG)
                + ",\"layers\":["
                + json(LAYER)
                + "]}")
            .getBytes(StandardCharsets.UTF_8);
    return manifests.store(Digest.sha256(body), body, MediaTypes.OCI_MANIFEST);
  }

  /** A stored blob as the cache hands it out: opened (its content, not its size, is real). */
  private StoredBlob stored(Descriptor blob) throws Exception {
    String content = blob == CONFIG ? "config" : "layer";
    try (BlobWriter writer = blobs.create(blob.digest())) {
      writer.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
      writer.commit();
    }
    return new StoredBlob(blobs.open(blob.digest()).orElseThrow());
  }

  @Test
  void manifest_ofAnImage_makesItsBlobsExpectedBeforeTheyStart() throws Exception {
    ManifestContent manifest = storeImageManifest();
    ImageProgress progress = new ImageProgress(IMAGE, manifests::read);

    progress.manifest(IMAGE, manifest.descriptor());

    assertThat(progress.manifests()).isEqualTo(1);
    assertThat(progress.expectedBlobs()).isEqualTo(2);
    assertThat(progress.expectedBytes()).isEqualTo(51_000);
    assertThat(progress.currentBytes()).isZero();
  }

  @Test
  void cachedBlobs_countAsDoneButNotFetched() throws Exception {
    ImageProgress progress = new ImageProgress(IMAGE, ImageProgress.ManifestReader.NONE);

    progress.blobStarted(IMAGE, CONFIG, stored(CONFIG));
    progress.blobDone(IMAGE, CONFIG);
    progress.blobStarted(IMAGE, LAYER, stored(LAYER));

    assertThat(progress.expectedBlobs()).isEqualTo(2);
    assertThat(progress.blobsDone()).isEqualTo(1);
    assertThat(progress.currentBytes()).isEqualTo(1_000);
    assertThat(progress.blobsFetched()).isZero();
    assertThat(progress.bytesFetched()).isZero();
  }

  @Test
  void unreadableManifest_onlyMeansBlobsAreNotKnownYet() throws Exception {
    ManifestContent manifest = storeImageManifest();
    ImageProgress progress =
        new ImageProgress(
            IMAGE,
            digest -> {
              throw new java.io.IOException("gone");
            });

    progress.manifest(IMAGE, manifest.descriptor());

    assertThat(progress.manifests()).isEqualTo(1);
    assertThat(progress.expectedBlobs()).isZero();
  }
}
