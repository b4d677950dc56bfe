package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemLinkStoreTest extends LinkStoreContract {
  @TempDir Path root;

  private final Digest layer = Digest.sha256("layer".getBytes(UTF_8));

  @Override
  protected LinkStore newStore() throws IOException {
    return FileSystemLinkStore.open(root);
  }

  @Test
  void put_createsAnEmptyFileAtTheLayoutPath() throws IOException {
    FileSystemLinkStore.open(root).put("docker.io", "library/big", layer);

    Path link = new FsLayout(root).link("docker.io", "library/big", layer);
    assertThat(link).exists().isEmptyFile();
  }

  @Test
  void has_fromANewStoreOnTheSameRoot_survivesARestart() throws IOException {
    FileSystemLinkStore.open(root).put("docker.io", "library/big", layer);

    FileSystemLinkStore reopened = FileSystemLinkStore.open(root);

    assertThat(reopened.cached("docker.io", "library/big", layer)).isFalse();
    assertThat(reopened.has("docker.io", "library/big", layer)).isTrue();
    assertThat(reopened.cached("docker.io", "library/big", layer)).isTrue();
  }

  @Test
  void has_aLinkWrittenByAnotherProcess_isSeen() throws IOException {
    FileSystemLinkStore serving = FileSystemLinkStore.open(root);
    assertThat(serving.has("docker.io", "library/big", layer)).isFalse();

    FileSystemLinkStore.open(root).put("docker.io", "library/big", layer); // say, an import

    assertThat(serving.has("docker.io", "library/big", layer)).isTrue();
  }

  @Test
  void put_repositoryThatCouldLeaveItsDirectory_isRefused() throws IOException {
    FileSystemLinkStore store = FileSystemLinkStore.open(root);

    assertThatThrownBy(() -> store.put("docker.io", "../etc", layer))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.put("docker.io", "library/_links", layer))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Files.list(new FsLayout(root).repositoriesDir())).isEmpty();
  }
}
