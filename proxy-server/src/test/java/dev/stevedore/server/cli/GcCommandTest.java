package dev.stevedore.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.storage.BlobWriter;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.FileSystemBlobStore;
import dev.stevedore.storage.FsLayout;
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
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stevedore gc}, run in-process with System.out and System.err captured. */
class GcCommandTest {
  @TempDir Path dir;

  private final Random random = new Random(3);
  private Path data;
  private List<Digest> oldestFirst;

  @BeforeEach
  void setUp() throws IOException {
    data = dir.resolve("data");
    FileSystemBlobStore store = FileSystemBlobStore.open(data);
    oldestFirst = new ArrayList<>();
    for (int day = 0; day < 5; day++) {
      oldestFirst.add(commit(store, 1000, day));
    }
    Path dead = Files.createDirectories(new FsLayout(data).tmpRoot().resolve("999999999-1"));
    Files.write(dead.resolve("sha256-abc-1.part"), new byte[2048]);
  }

  private Digest commit(FileSystemBlobStore store, int size, int day) throws IOException {
    byte[] content = new byte[size];
    random.nextBytes(content);
    Digest digest = Digest.sha256(content);
    try (BlobWriter writer = store.create(digest)) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit();
    }
    FileTime time = FileTime.from(Instant.parse("2024-01-01T00:00:00Z").plus(Duration.ofDays(day)));
    Files.getFileAttributeView(blob(digest), BasicFileAttributeView.class)
        .setTimes(time, time, null);
    return digest;
  }

  private Path blob(Digest digest) {
    return new FsLayout(data).blob(digest);
  }

  private static void assertOneLineError(CommandRun run, String start) {
    assertThat(run.err().lines()).as("stderr: " + run.err()).hasSize(1);
    assertThat(run.err()).startsWith("stevedore: " + start).doesNotContain("\tat ");
  }

  @Test
  void gc_withBudget_evictsTheLeastRecentlyUsedAndReports() {
    CommandRun run = CommandRun.run("gc", "--data", data.toString(), "--max-cache-size", "2.5kB");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("removed 1 leftover temp entries of stopped processes (2 KiB)")
        .contains("evicted 3 blobs (2.9 KiB) to fit the budget of 2.4 KiB")
        .contains("kept 2 blobs (2 KiB)");
    for (int i = 0; i < 5; i++) {
      assertThat(Files.exists(blob(oldestFirst.get(i)))).as("blob of day " + i).isEqualTo(i >= 3);
    }
    assertThat(new FsLayout(data).tmpRoot().resolve("999999999-1")).doesNotExist();
  }

  @Test
  void gc_withoutBudget_onlyCleans() {
    CommandRun run = CommandRun.run("gc", "--data", data.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("removed 1 leftover temp entries").doesNotContain("evicted");
    assertThat(run.out()).contains("kept 5 blobs");
    assertThat(oldestFirst).allSatisfy(digest -> assertThat(blob(digest)).exists());
  }

  @Test
  void gc_budgetFromTheConfigFile() throws IOException {
    Path config = dir.resolve("stevedore.yaml");
    Files.writeString(config, "data: " + data + "\nmax-cache-size: 2000\n");

    CommandRun run = CommandRun.run("gc", "--config", config.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("evicted 3 blobs").contains("kept 2 blobs");
  }

  @Test
  void gc_flagOverridesTheConfigFile() throws IOException {
    Path config = dir.resolve("stevedore.yaml");
    Files.writeString(config, "data: " + data + "\nmax-cache-size: 1KiB\n");

    CommandRun run =
        CommandRun.run("gc", "--config", config.toString(), "--max-cache-size", "1MiB");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("evicted 0 blobs").contains("kept 5 blobs");
  }

  @Test
  void gc_badSize_exitsTwoWithOneLine() {
    CommandRun run = CommandRun.run("gc", "--data", data.toString(), "--max-cache-size", "10XB");

    assertThat(run.exitCode()).isEqualTo(2);
    assertOneLineError(run, "max-cache-size: invalid size '10XB'");
    assertThat(oldestFirst).allSatisfy(digest -> assertThat(blob(digest)).exists());
  }

  @Test
  void gc_badSizeInTheConfigFile_exitsTwo() throws IOException {
    Path config = dir.resolve("stevedore.yaml");
    Files.writeString(config, "max-cache-size: plenty\n");

    CommandRun run = CommandRun.run("gc", "--config", config.toString(), "--data", data.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertOneLineError(run, "max-cache-size: invalid size 'plenty'");
  }

  @Test
  void gc_missingDataDirectory_exitsTwo() {
    CommandRun run = CommandRun.run("gc", "--data", dir.resolve("nowhere").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertOneLineError(run, "data directory");
    assertThat(dir.resolve("nowhere")).doesNotExist();
  }

  @Test
  void serve_badMaxCacheSize_exitsTwoBeforeServing() {
    CommandRun run =
        CommandRun.run(
            "serve", "--data", data.toString(), "--listen", "127.0.0.1:0", "--max-cache-size", "0");

    assertThat(run.exitCode()).isEqualTo(2);
    assertOneLineError(run, "max-cache-size: invalid size '0'");
  }
}
