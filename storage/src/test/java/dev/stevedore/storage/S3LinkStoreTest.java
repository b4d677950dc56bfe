package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;

/** The link contract against S3Proxy, and what another replica sees. */
class S3LinkStoreTest extends LinkStoreContract {
  private final Digest layer = Digest.sha256("a layer".getBytes(UTF_8));
  private S3TestServer server;
  private S3Layout layout;

  @Override
  protected LinkStore newStore() throws IOException {
    server = S3TestServer.shared();
    layout = new S3Layout(server.newBucket(), "shared");
    return new S3LinkStore(server.client(), layout);
  }

  @Test
  void put_isSeenByAnotherReplica_andNotCachedThereUntilAsked() throws IOException {
    newStore().put("ghcr.io", "team/app", layer);
    LinkStore other = new S3LinkStore(server.client(), layout);

    assertThat(other.cached("ghcr.io", "team/app", layer)).isFalse();
    assertThat(other.has("ghcr.io", "team/app", layer)).isTrue();
    assertThat(other.cached("ghcr.io", "team/app", layer)).isTrue();
  }

  @Test
  void put_writesAnEmptyObjectAtTheLayoutKey() throws IOException {
    newStore().put("docker.io", "library/alpine", layer);

    String key = "shared/repositories/docker.io/library/alpine/_links/sha256/" + layer.hex();
    HeadObjectRequest head = HeadObjectRequest.builder().bucket(layout.bucket()).key(key).build();
    assertThat(server.client().headObject(head).contentLength()).isZero();
  }

  @Test
  void put_invalidNames_areRejectedBeforeAnyRequest() throws IOException {
    LinkStore store = newStore();

    assertThatThrownBy(() -> store.put("docker.io", "../escape", layer))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.has("docker.io/x", "library/alpine", layer))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
