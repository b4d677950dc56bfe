package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/** Tag records in a bucket of S3Proxy: what one replica records, another reads. */
class S3TagStoreTest {
  private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  private static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";

  private final TagRecord alpine =
      new TagRecord(
          Digest.sha256("alpine index".getBytes(UTF_8)),
          OCI_INDEX,
          Instant.ofEpochMilli(1_700_000_000_123L));
  private S3TestServer server;
  private S3Layout layout;
  private TagStore store;

  @BeforeEach
  void newStore() throws IOException {
    server = S3TestServer.shared();
    layout = new S3Layout(server.newBucket(), "p");
    store = new S3TagStore(server.client(), layout);
  }

  @Test
  void put_thenGet_returnsTheRecord() throws IOException {
    store.put("docker.io", "library/alpine", "3.19", alpine);

    assertThat(store.get("docker.io", "library/alpine", "3.19")).contains(alpine);
  }

  @Test
  void get_missing_isEmpty() throws IOException {
    assertThat(store.get("docker.io", "library/alpine", "3.19")).isEmpty();
  }

  @Test
  void put_writesThreeLinesAtTheLayoutKey() throws IOException {
    store.put("docker.io", "library/alpine", "3.19", alpine);

    String key = "p/repositories/docker.io/library/alpine/_tags/3.19";
    String text =
        server
            .client()
            .getObjectAsBytes(GetObjectRequest.builder().bucket(layout.bucket()).key(key).build())
            .asUtf8String();
    assertThat(text).isEqualTo(alpine.digest() + "\n" + OCI_INDEX + "\n1700000000123\n");
  }

  @Test
  void get_byAnotherReplica_returnsTheRecord() throws IOException {
    store.put("127.0.0.1:5001", "team/app", "v1", alpine);

    TagStore other = new S3TagStore(server.client(), layout);

    assertThat(other.get("127.0.0.1:5001", "team/app", "v1")).contains(alpine);
  }

  @Test
  void put_twice_replacesTheRecord() throws IOException {
    TagRecord moved =
        new TagRecord(
            Digest.sha256("new index".getBytes(UTF_8)),
            DOCKER_MANIFEST,
            Instant.ofEpochMilli(1_700_000_999_000L));
    store.put("docker.io", "library/alpine", "latest", alpine);

    store.put("docker.io", "library/alpine", "latest", moved);

    assertThat(store.get("docker.io", "library/alpine", "latest")).contains(moved);
  }

  @Test
  void get_corruptRecord_isEmpty() throws IOException {
    String key = layout.tag("docker.io", "library/alpine", "3.19");
    server
        .client()
        .putObject(
            PutObjectRequest.builder().bucket(layout.bucket()).key(key).build(),
            RequestBody.fromString("sha256:nothex\n" + OCI_INDEX + "\n12\n"));

    assertThat(store.get("docker.io", "library/alpine", "3.19")).isEmpty();
  }

  @Test
  void put_invalidNames_areRejected() {
    assertThatThrownBy(() -> store.put("docker.io", "library/alpine", "../x", alpine))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.get("docker.io", "Library//alpine", "1"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
