package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link LinkStore} must have. Subclasses supply a fresh, empty store. */
abstract class LinkStoreContract {
  private final Digest layer = Digest.sha256("layer".getBytes(UTF_8));

  /** A new, empty store; called once per test. */
  protected abstract LinkStore newStore() throws IOException;

  @Test
  void has_nothingRecorded_isFalse() throws IOException {
    LinkStore store = newStore();

    assertThat(store.has("docker.io", "library/alpine", layer)).isFalse();
    assertThat(store.cached("docker.io", "library/alpine", layer)).isFalse();
  }

  @Test
  void put_thenHas_isTrueAndCached() throws IOException {
    LinkStore store = newStore();

    store.put("docker.io", "library/big", layer);

    assertThat(store.has("docker.io", "library/big", layer)).isTrue();
    assertThat(store.cached("docker.io", "library/big", layer)).isTrue();
  }

  @Test
  void put_linksOnlyThatRepositoryOfThatUpstream() throws IOException {
    LinkStore store = newStore();

    store.put("docker.io", "library/big", layer);

    assertThat(store.has("docker.io", "library/alpine", layer)).isFalse();
    assertThat(store.has("evil.io", "library/big", layer)).isFalse();
    assertThat(store.has("docker.io", "library/big/sub", layer)).isFalse();
    assertThat(store.has("docker.io", "library", layer)).isFalse();
  }

  @Test
  void put_twice_isANoOp() throws IOException {
    LinkStore store = newStore();
    store.put("docker.io", "library/big", layer);

    store.put("docker.io", "library/big", layer);

    assertThat(store.has("docker.io", "library/big", layer)).isTrue();
  }
}
