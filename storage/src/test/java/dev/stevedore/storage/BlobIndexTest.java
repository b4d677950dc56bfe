package dev.stevedore.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobIndexTest {
  private static final int KIB = 1024;

  @TempDir Path root;
  private final List<Digest> heard = new CopyOnWriteArrayList<>();
  private final Random random = new Random(11);

  private IndexedBlobStore open(long budget) throws IOException {
    return IndexedBlobStore.open(
        root,
        BlobIndex.builder()
            .budget(OptionalLong.of(budget))
            .listener((digest, size) -> heard.add(digest)));
  }

  private Digest commit(BlobStore store, int size) throws IOException {
    byte[] content = new byte[size];
    random.nextBytes(content);
    Digest digest = Digest.sha256(content);
    try (BlobWriter writer = store.create(digest)) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit();
    }
    return digest;
  }

  private Path file(Digest digest) {
    return new FsLayout(root).blob(digest);
  }

  private Set<Digest> filesOnDisk() throws IOException {
    Set<Digest> found = new HashSet<>();
    BlobScan.scan(new FsLayout(root)).forEach(entry -> found.add(entry.digest()));
    return found;
  }

  @Test
  void use_countsBytesAndBlobsOnce() {
    BlobIndex index = BlobIndex.builder().build(digest -> true);
    Digest a = Digest.sha256(new byte[] {1});
    Digest b = Digest.sha256(new byte[] {2});

    index.use(a, 3000);
    index.use(b, 5);
    index.use(a, 3000);

    assertThat(index.count()).isEqualTo(2);
    assertThat(index.bytes()).isEqualTo(3005);
    assertThat(index.diskBytes()).isEqualTo(3005);
    assertThat(index.budget()).isEmpty();
  }

  @Test
  void unlimited_neverEvicts() throws IOException {
    IndexedBlobStore store =
        IndexedBlobStore.open(root, OptionalLong.empty(), (digest, size) -> heard.add(digest));
    for (int i = 0; i < 20; i++) {
      commit(store, 50 * KIB);
    }
    store.index().cleanUp();

    assertThat(store.index().count()).isEqualTo(20);
    assertThat(store.index().bytes()).isEqualTo(20L * 50 * KIB);
    assertThat(store.index().evictions()).isZero();
    assertThat(filesOnDisk()).hasSize(20);
  }

  @Test
  void overBudget_evictsAndDeletesFiles_keepingWithinBudget() throws IOException {
    long budget = 200 * KIB;
    IndexedBlobStore store = open(budget);
    List<Digest> committed = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      committed.add(commit(store, 30 * KIB + i));
      store.index().cleanUp();
      assertThat(store.index().bytes()).isLessThanOrEqualTo(budget);
    }

    BlobIndex index = store.index();
    assertThat(index.evictions()).isPositive();
    assertThat(heard).hasSize((int) index.evictions());
    assertThat(index.pendingBytes()).isZero();
    assertThat(index.diskBytes()).isLessThanOrEqualTo(budget);
    for (Digest gone : heard) {
      assertThat(file(gone)).doesNotExist();
      assertThat(store.stat(gone)).isEmpty();
    }
    Set<Digest> indexed = new HashSet<>(committed);
    indexed.removeAll(heard);
    assertThat(filesOnDisk()).isEqualTo(indexed);
    assertThat(index.count()).isEqualTo(indexed.size());
  }

  @Test
  void blobLargerThanTheBudget_isServedThenEvicted() throws IOException {
    IndexedBlobStore store = open(64 * KIB);
    byte[] content = content(100 * KIB);
    Digest big = Digest.sha256(content);
    try (BlobWriter writer = store.create(big, content.length);
        BlobReader reader = writer.openReader()) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit();
      store.index().cleanUp();

      assertThat(file(big)).doesNotExist();
      assertThat(reader.readAllBytes()).as("its reader still has every byte").isEqualTo(content);
    }
    assertThat(store.index().diskBytes()).isZero();
    assertThat(heard).containsExactly(big);
  }

  @Test
  void pinnedBlob_isNotDeletedUntilUnpinned() throws IOException {
    IndexedBlobStore store = open(100 * KIB);
    byte[] a = content(60 * KIB);
    byte[] b = content(60 * KIB);
    BlobIndex.Pin pinA = store.index().pin(Digest.sha256(a));
    BlobIndex.Pin pinB = store.index().pin(Digest.sha256(b));

    write(store, a);
    write(store, b); // one of the two must go
    store.index().cleanUp();

    Digest victim = store.index().contains(Digest.sha256(a)) ? Digest.sha256(b) : Digest.sha256(a);
    assertThat(store.index().count()).isEqualTo(1);
    assertThat(file(victim)).as("evicted but pinned").exists();
    assertThat(store.index().pendingBytes()).isEqualTo(60 * KIB);
    assertThat(store.index().diskBytes()).isEqualTo(120 * KIB);
    assertThat(heard).isEmpty();

    pinA.close();
    pinB.close();
    pinB.close(); // twice is harmless

    assertThat(file(victim)).doesNotExist();
    assertThat(heard).containsExactly(victim);
    assertThat(store.index().evictions()).isEqualTo(1);
    assertThat(store.index().pendingBytes()).isZero();
    assertThat(store.index().diskBytes()).isEqualTo(60 * KIB);
  }

  @Test
  void evictionOfAPinnedBlob_isDeferred_evenAsOthersCome() throws IOException {
    IndexedBlobStore store = open(100 * KIB);
    Digest first = commit(store, 40 * KIB);
    try (BlobIndex.Pin pin = store.index().pin(first)) {
      for (int i = 0; i < 10; i++) {
        commit(store, 40 * KIB);
      }
      store.index().cleanUp();
      assertThat(file(first)).exists();
    }
    store.index().cleanUp();
    assertThat(file(first).toFile().exists()).isEqualTo(store.index().contains(first));
  }

  @Test
  void openReader_keepsItsBytesThroughEviction_withoutHoldingTheFile() throws IOException {
    IndexedBlobStore store = open(100 * KIB);
    byte[] content = content(60 * KIB);
    Digest read = Digest.sha256(content);
    write(store, content);

    try (BlobReader reader = store.open(read).orElseThrow()) {
      commit(store, 60 * KIB);
      commit(store, 60 * KIB);
      store.index().cleanUp();

      assertThat(store.index().pendingBytes()).as("no lease: evictions delete at once").isZero();
      assertThat(store.index().diskBytes()).isLessThanOrEqualTo(100 * KIB);
      assertThat(filesOnDisk()).hasSize((int) store.index().count());
      assertThat(reader.readAllBytes()).isEqualTo(content);
    }
  }

  @Test
  void blobCommittedAgainWhileItsEvictionIsPending_isKept() throws IOException {
    IndexedBlobStore store = open(100 * KIB);
    byte[] a = content(60 * KIB);
    byte[] b = content(60 * KIB);
    BlobIndex.Pin pinA = store.index().pin(Digest.sha256(a));
    BlobIndex.Pin pinB = store.index().pin(Digest.sha256(b));
    write(store, a);
    write(store, b);
    store.index().cleanUp();
    boolean aStays = store.index().contains(Digest.sha256(a));
    byte[] victim = aStays ? b : a;
    store.delete(Digest.sha256(aStays ? a : b)); // room again

    write(store, victim); // fetched again while the evicted copy awaits deletion
    pinA.close();
    pinB.close();
    store.index().cleanUp();

    assertThat(file(Digest.sha256(victim))).exists();
    assertThat(store.index().contains(Digest.sha256(victim))).isTrue();
    assertThat(heard).isEmpty();
    assertThat(store.index().pendingBytes()).isZero();
    assertThat(store.index().diskBytes()).isEqualTo(60 * KIB);
  }

  private byte[] content(int size) {
    byte[] content = new byte[size];
    random.nextBytes(content);
    return content;
  }

  private static void write(BlobStore store, byte[] content) throws IOException {
    try (BlobWriter writer = store.create(Digest.sha256(content))) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit();
    }
  }

  @Test
  void hotBlobs_surviveABigOneOffBlob() throws IOException {
    IndexedBlobStore store = open(1024 * KIB);
    List<Digest> hot = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      hot.add(commit(store, 50 * KIB));
    }
    for (int round = 0; round < 10; round++) {
      for (Digest digest : hot) {
        assertThat(store.stat(digest)).isPresent();
      }
    }

    Digest oneOff = commit(store, 700 * KIB);
    store.index().cleanUp();

    assertThat(hot).allSatisfy(digest -> assertThat(file(digest)).exists());
    assertThat(file(oneOff)).doesNotExist();
    assertThat(heard).containsExactly(oneOff);
  }

  @Test
  void statOfAFileDeletedBehindItsBack_forgetsIt() throws IOException {
    IndexedBlobStore store = open(1024 * KIB);
    Digest digest = commit(store, 10 * KIB);
    Files.delete(file(digest));

    assertThat(store.stat(digest)).isEmpty();
    assertThat(store.index().count()).isZero();
    assertThat(store.index().bytes()).isZero();
    assertThat(heard).isEmpty();
  }

  @Test
  void stat_ofABlobWrittenByAnotherProcess_indexesIt() throws IOException {
    IndexedBlobStore store = open(1024 * KIB);
    Digest digest = commit(FileSystemBlobStore.open(root), 10 * KIB);

    assertThat(store.index().contains(digest)).isFalse();
    assertThat(store.stat(digest)).isPresent();
    assertThat(store.index().contains(digest)).isTrue();
    assertThat(store.index().bytes()).isEqualTo(10 * KIB);
  }

  @Test
  void rebuild_indexesWhatIsOnDisk() throws IOException {
    FileSystemBlobStore plain = FileSystemBlobStore.open(root);
    long total = 0;
    for (int i = 1; i <= 5; i++) {
      commit(plain, i * KIB);
      total += i * KIB;
    }
    Files.writeString(
        Files.createDirectories(new FsLayout(root).blobsDir().resolve("sha256/zz")).resolve("x"),
        "stray");

    IndexedBlobStore store =
        IndexedBlobStore.open(root, OptionalLong.empty(), (digest, size) -> heard.add(digest));
    store.rebuild();

    assertThat(store.index().count()).isEqualTo(5);
    assertThat(store.index().bytes()).isEqualTo(total);
  }

  @Test
  void rebuild_overBudget_keepsTheMostRecentlyUsed() throws IOException {
    FileSystemBlobStore plain = FileSystemBlobStore.open(root);
    List<Digest> oldestFirst = new ArrayList<>();
    Instant start = Instant.parse("2024-01-01T00:00:00Z");
    for (int i = 0; i < 6; i++) {
      Digest digest = commit(plain, 40 * KIB);
      FileTime time = FileTime.from(start.plus(Duration.ofDays(i)));
      Files.getFileAttributeView(file(digest), java.nio.file.attribute.BasicFileAttributeView.class)
          .setTimes(time, time, null);
      oldestFirst.add(digest);
    }

    IndexedBlobStore store = open(100 * KIB);
    store.rebuild();

    assertThat(store.index().diskBytes()).isLessThanOrEqualTo(100 * KIB);
    assertThat(filesOnDisk()).containsExactlyInAnyOrderElementsOf(oldestFirst.subList(4, 6));
    assertThat(heard).containsExactlyInAnyOrderElementsOf(oldestFirst.subList(0, 4));
  }

  @Test
  void concurrentReadersAndWriters_neverLoseAFileTheyWereGiven() throws Exception {
    IndexedBlobStore store =
        IndexedBlobStore.open(
            root,
            BlobIndex.builder()
                .budget(OptionalLong.of(300 * KIB))
                .listener((digest, size) -> heard.add(digest)));
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      byte[] content = new byte[20 * KIB + i];
      random.nextBytes(content);
      contents.add(content);
    }
    ExecutorService threads = Executors.newFixedThreadPool(8);
    List<Future<?>> work = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int seed = t;
      work.add(
          threads.submit(
              () -> {
                Random pick = new Random(seed);
                for (int i = 0; i < 300; i++) {
                  byte[] content = contents.get(pick.nextInt(contents.size()));
                  Digest digest = Digest.sha256(content);
                  var opened = store.open(digest);
                  if (opened.isPresent()) {
                    try (BlobReader reader = opened.get()) {
                      assertThat(reader.readAllBytes()).isEqualTo(content);
                    }
                  } else {
                    write(store, content);
                  }
                }
                return null;
              }));
    }
    for (Future<?> each : work) {
      each.get(60, TimeUnit.SECONDS);
    }
    threads.shutdown();

    BlobIndex index = store.index();
    index.cleanUp();
    assertThat(index.bytes()).isLessThanOrEqualTo(300 * KIB);
    Set<Digest> onDisk = filesOnDisk();
    assertThat(onDisk.size()).isEqualTo(index.count() + countPending(onDisk, index));
    try (Stream<Path> temp = Files.list(new FsLayout(root).tmpDir())) {
      assertThat(temp).isEmpty();
    }
  }

  /** Files on disk that the index does not hold: evicted, awaiting the end of a pin. */
  private static long countPending(Set<Digest> onDisk, BlobIndex index) {
    return onDisk.stream().filter(digest -> !index.contains(digest)).count();
  }
}
