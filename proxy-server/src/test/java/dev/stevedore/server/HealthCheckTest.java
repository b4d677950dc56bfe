package dev.stevedore.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.storage.FileSystemBlobStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthCheckTest {
  private static final long MIB = 1024 * 1024;

  @TempDir Path data;
  private final AtomicLong free = new AtomicLong(10_000 * MIB);
  private final AtomicInteger diskTasks = new AtomicInteger();
  private final Executor disk =
      task -> {
        diskTasks.incrementAndGet();
        task.run();
      };
  private HealthCheck health;

  @BeforeEach
  void open() throws IOException {
    health =
        new HealthCheck(
            FileSystemBlobStore.open(data), disk, free::get, HealthCheck.MIN_FREE_BYTES);
  }

  @Test
  void roomOnDisk_isReady() {
    assertThat(health.notReadyBecause().join()).isEmpty();
  }

  @Test
  void lessThanTheMinimumFree_isNotReady_sayingWhy() {
    free.set(12 * MIB);

    Optional<String> why = health.notReadyBecause().join();

    assertThat(why)
        .contains(
            "disk full: 12 MiB free in the data directory's file system, at least 64 MiB needed");
  }

  @Test
  void readyAgain_onceSpaceIsFreed() {
    free.set(0);
    assertThat(health.notReadyBecause().join()).isPresent();

    free.set(HealthCheck.MIN_FREE_BYTES);

    assertThat(health.notReadyBecause().join()).isEmpty();
  }

  @Test
  void freeSpace_isReadOnTheDiskExecutor() throws IOException {
    AtomicInteger readsOffDisk = new AtomicInteger();
    int[] tasksAtRead = new int[1];
    HealthCheck probed =
        new HealthCheck(
            FileSystemBlobStore.open(data),
            disk,
            () -> {
              tasksAtRead[0] = diskTasks.get();
              readsOffDisk.incrementAndGet();
              return 0;
            },
            HealthCheck.MIN_FREE_BYTES);

    probed.notReadyBecause().join();

    assertThat(readsOffDisk).hasValue(1);
    assertThat(tasksAtRead[0]).as("read inside a disk task").isEqualTo(1);
  }

  @Test
  void unreadableFileSystem_isNotReady() throws IOException {
    HealthCheck broken =
        new HealthCheck(
            FileSystemBlobStore.open(data),
            disk,
            () -> {
              throw new IOException("statfs failed");
            },
            HealthCheck.MIN_FREE_BYTES);

    assertThat(broken.notReadyBecause().join())
        .hasValueSatisfying(
            why -> assertThat(why).startsWith("storage not writable").contains("statfs failed"));
  }

  @Test
  void realFileSystem_reportsSomeSpace() throws IOException {
    assertThat(HealthCheck.FreeSpace.of(data).usableBytes()).isPositive();
  }
}
