package dev.stevedore.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaIdTest {
  @TempDir Path dataDir;

  @Test
  void firstStart_makesAnId_andEveryRestartKeepsIt() throws IOException {
    String first = ReplicaId.of(dataDir);

    assertThat(first).matches("replica-[0-9a-f]{16}");
    assertThat(ReplicaId.of(dataDir)).isEqualTo(first);
    assertThat(dataDir.resolve(ReplicaId.FILE)).hasContent(first);
  }

  @Test
  void twoDataDirectories_haveTwoIds() throws IOException {
    assertThat(ReplicaId.of(dataDir.resolve("one")))
        .isNotEqualTo(ReplicaId.of(dataDir.resolve("two")));
  }

  @Test
  void aTamperedFile_isReplacedByAValidId() throws IOException {
    Files.writeString(dataDir.resolve(ReplicaId.FILE), "../../etc/passwd\n");

    assertThat(ReplicaId.of(dataDir)).matches("replica-[0-9a-f]{16}");
  }
}
