package dev.stevedore.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheGcTest {
  @TempDir Path root;
  private final Random random = new Random(5);

  private Digest commit(BlobStore store, int size, int day) throws IOException {
    byte[] content = new byte[size];
    random.nextBytes(content);
    Digest digest = Digest.sha256(content);
    try (BlobWriter writer = store.create(digest)) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit();
    }
    FileTime time = FileTime.from(Instant.parse("2024-01-01T00:00:00Z").plus(Duration.ofDays(day)));
    Files.getFileAttributeView(new FsLayout(root).blob(digest), BasicFileAttributeView.class)
        .setTimes(time, time, null);
    return digest;
  }

  @Test
  void run_withBudget_evictsTheLeastRecentlyUsedUntilTheRestFits() throws IOException {
    FileSystemBlobStore store = FileSystemBlobStore.open(root);
    List<Digest> oldestFirst = new ArrayList<>();
    for (int day = 0; day < 5; day++) {
      oldestFirst.add(commit(store, 1000, day));
    }

    CacheGc.Report report = CacheGc.run(root, OptionalLong.of(2500));

    assertThat(report.blobsEvicted()).isEqualTo(3);
    assertThat(report.bytesEvicted()).isEqualTo(3000);
    assertThat(report.blobsKept()).isEqualTo(2);
    assertThat(report.bytesKept()).isEqualTo(2000);
    for (int i = 0; i < 5; i++) {
      assertThat(store.stat(oldestFirst.get(i)).isPresent()).isEqualTo(i >= 3);
    }
  }

  @Test
  void run_bigOldBlobDoesNotFit_smallerOlderOnesStillDo() throws IOException {
    FileSystemBlobStore store = FileSystemBlobStore.open(root);
    Digest newest = commit(store, 1000, 9);
    Digest big = commit(store, 5000, 8);
    Digest small = commit(store, 500, 1);

    CacheGc.Report report = CacheGc.run(root, OptionalLong.of(2000));

    assertThat(store.stat(newest)).isPresent();
    assertThat(store.stat(big)).isEmpty();
    assertThat(store.stat(small)).isPresent();
    assertThat(report.bytesKept()).isEqualTo(1500);
  }

  @Test
  void run_withoutBudget_onlyCleansUp() throws IOException {
    FileSystemBlobStore store = FileSystemBlobStore.open(root);
    Digest kept = commit(store, 1000, 0);
    FsLayout layout = new FsLayout(root);
    Path dead = Files.createDirectories(layout.tmpRoot().resolve("999999999-1"));
    Files.write(dead.resolve("sha256-abc-1.part"), new byte[700]);
    Path mine = Files.write(layout.tmpDir().resolve("in-flight.part"), new byte[10]);
    FileSystemMediaTypeStore mediaTypes = FileSystemMediaTypeStore.open(root);
    Digest goneManifest = Digest.sha256(new byte[] {9});
    mediaTypes.putIfAbsent(goneManifest, "application/vnd.oci.image.manifest.v1+json");
    mediaTypes.putIfAbsent(kept, "application/vnd.oci.image.manifest.v1+json");

    CacheGc.Report report = CacheGc.run(root, OptionalLong.empty());

    assertThat(report.tempEntriesRemoved()).isEqualTo(1);
    assertThat(report.tempBytesRemoved()).isEqualTo(700);
    assertThat(report.mediaTypesRemoved()).isEqualTo(1);
    assertThat(report.blobsEvicted()).isZero();
    assertThat(report.blobsKept()).isEqualTo(1);
    assertThat(dead).doesNotExist();
    assertThat(mine).exists();
    assertThat(mediaTypes.get(goneManifest)).isEmpty();
    assertThat(mediaTypes.get(kept)).isPresent();
    assertThat(store.stat(kept)).isPresent();
  }
}
