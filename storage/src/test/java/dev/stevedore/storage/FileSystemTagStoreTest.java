package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileSystemTagStoreTest {

  private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  private static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";

  @TempDir Path root;

  private final TagRecord alpine =
      new TagRecord(
          Digest.sha256("alpine index".getBytes(UTF_8)),
          OCI_INDEX,
          Instant.ofEpochMilli(1_700_000_000_123L));

  @Test
  void put_thenGet_returnsTheRecord() throws IOException {
    TagStore store = FileSystemTagStore.open(root);

    store.put("docker.io", "library/alpine", "3.19", alpine);

    assertThat(store.get("docker.io", "library/alpine", "3.19")).contains(alpine);
  }

  @Test
  void put_writesThreeLinesAtTheLayoutPath() throws IOException {
    FileSystemTagStore.open(root).put("docker.io", "library/alpine", "3.19", alpine);

    Path file = new FsLayout(root).tag("docker.io", "library/alpine", "3.19");
    assertThat(file).hasContent(alpine.digest() + "\n" + OCI_INDEX + "\n" + "1700000000123" + "\n");
  }

  @Test
  void get_fromANewStoreOnTheSameRoot_returnsTheRecord() throws IOException {
    FileSystemTagStore.open(root).put("127.0.0.1:5001", "team/app", "v1", alpine);

    TagStore reopened = FileSystemTagStore.open(root);

    assertThat(reopened.get("127.0.0.1:5001", "team/app", "v1")).contains(alpine);
  }

  @Test
  void put_twice_replacesTheRecord() throws IOException {
    TagStore store = FileSystemTagStore.open(root);
    TagRecord moved =
        new TagRecord(
            Digest.sha256("new index".getBytes(UTF_8)),
            DOCKER_MANIFEST,
            alpine.confirmedAt().plusSeconds(60));
    store.put("docker.io", "library/alpine", "latest", alpine);

    store.put("docker.io", "library/alpine", "latest", moved);

    assertThat(store.get("docker.io", "library/alpine", "latest")).contains(moved);
    assertThat(new FsLayout(root).tmpDir()).isEmptyDirectory();
  }

  @Test
  void confirmedAt_isKeptToTheMillisecond() throws IOException {
    TagStore store = FileSystemTagStore.open(root);
    Instant precise = Instant.parse("2024-05-01T10:00:00.123456789Z");

    store.put(
        "docker.io", "library/alpine", "3.19", new TagRecord(alpine.digest(), OCI_INDEX, precise));

    assertThat(store.get("docker.io", "library/alpine", "3.19").orElseThrow().confirmedAt())
        .isEqualTo(Instant.parse("2024-05-01T10:00:00.123Z"));
  }

  @Test
  void get_missingTag_isEmpty() throws IOException {
    TagStore store = FileSystemTagStore.open(root);
    store.put("docker.io", "library/alpine", "3.19", alpine);

    assertThat(store.get("docker.io", "library/alpine", "3.20")).isEmpty();
    assertThat(store.get("docker.io", "library/busybox", "3.19")).isEmpty();
    assertThat(store.get("ghcr.io", "library/alpine", "3.19")).isEmpty();
  }

  @Test
  void tagsOfParentAndChildRepositories_doNotCollide() throws IOException {
    TagStore store = FileSystemTagStore.open(root);
    TagRecord child =
        new TagRecord(Digest.sha256("child".getBytes(UTF_8)), OCI_INDEX, Instant.EPOCH);

    store.put("ghcr.io", "org/app", "v1", alpine);
    store.put("ghcr.io", "org/app/worker", "v1", child);

    assertThat(store.get("ghcr.io", "org/app", "v1")).contains(alpine);
    assertThat(store.get("ghcr.io", "org/app/worker", "v1")).contains(child);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "garbage",
        "sha256:nothex\napplication/json\n1\n",
        "sha256:0000\napplication/json\n1\n",
        "%s\napplication/json\nnot-a-number\n",
        "%s\napplication/json\n",
        "%s\napplication/json\n1\nextra\n",
        "%s\n\n1\n",
        "%s\napplication/json\n1",
        "%s\napplication/json\n99999999999999999999\n"
      })
  void get_corruptRecord_isEmpty(String content) throws IOException {
    TagStore store = FileSystemTagStore.open(root);
    writeRaw(content.formatted(alpine.digest()).getBytes(UTF_8));

    assertThat(store.get("docker.io", "library/alpine", "3.19")).isEmpty();
  }

  @Test
  void get_recordThatIsNotUtf8_isEmpty() throws IOException {
    TagStore store = FileSystemTagStore.open(root);
    writeRaw(new byte[] {(byte) 0xff, (byte) 0xfe, '\n', '1', '\n', '2', '\n'});

    assertThat(store.get("docker.io", "library/alpine", "3.19")).isEmpty();
  }

  @Test
  void get_oversizedRecord_isEmpty() throws IOException {
    TagStore store = FileSystemTagStore.open(root);
    writeRaw(("x".repeat(LineRecords.MAX_RECORD_BYTES) + "\n").getBytes(UTF_8));

    assertThat(store.get("docker.io", "library/alpine", "3.19")).isEmpty();
  }

  @Test
  void put_afterCorruptRecord_repairsIt() throws IOException {
    TagStore store = FileSystemTagStore.open(root);
    writeRaw("garbage".getBytes(UTF_8));

    store.put("docker.io", "library/alpine", "3.19", alpine);

    assertThat(store.get("docker.io", "library/alpine", "3.19")).contains(alpine);
  }

  @Test
  void put_mediaTypeWithLineBreak_isRefusedAndWritesNothing() throws IOException {
    TagStore store = FileSystemTagStore.open(root);
    TagRecord injected =
        new TagRecord(alpine.digest(), "application/json\n1\n", alpine.confirmedAt());

    assertThatThrownBy(() -> store.put("docker.io", "library/alpine", "3.19", injected))
        .isInstanceOf(IllegalArgumentException.class);

    assertThat(store.get("docker.io", "library/alpine", "3.19")).isEmpty();
  }

  @Test
  void getAndPut_escapingNames_areRefused() throws IOException {
    TagStore store = FileSystemTagStore.open(root);

    assertThatThrownBy(() -> store.get("docker.io", "../../etc", "passwd"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.put("docker.io", "library/alpine", "../x", alpine))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.put("..", "library/alpine", "x", alpine))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void put_nullRecord_isRejected() throws IOException {
    TagStore store = FileSystemTagStore.open(root);

    assertThatThrownBy(() -> store.put("docker.io", "library/alpine", "3.19", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("record");
  }

  private void writeRaw(byte[] content) throws IOException {
    Path file = new FsLayout(root).tag("docker.io", "library/alpine", "3.19");
    Files.createDirectories(file.getParent());
    Files.write(file, content);
  }
}
