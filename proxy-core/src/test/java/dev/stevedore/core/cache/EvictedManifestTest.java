package dev.stevedore.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.testing.FakeClock;
import dev.stevedore.core.testing.FakeUpstream;
import dev.stevedore.storage.EvictionListener;
import dev.stevedore.storage.FileSystemMediaTypeStore;
import dev.stevedore.storage.FileSystemTagStore;
import dev.stevedore.storage.IndexedBlobStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk budget evicted a manifest that a tag points to: the tag stays, and the manifest is
 * fetched again on demand.
 */
class EvictedManifestTest {
  private static final RepositoryName REPO = RepositoryName.parse("library/alpine");
  private static final Duration TTL = Duration.ofMinutes(5);
  private static final Executor DISK = Runnable::run;

  @TempDir Path data;
  private final FakeUpstream upstream = new FakeUpstream();
  private final FakeClock clock = new FakeClock();
  private IndexedBlobStore blobs;
  private ManifestService service;
  private FakeUpstream.Manifest index;

  @BeforeEach
  void setUp() throws Exception {
    blobs = IndexedBlobStore.open(data, OptionalLong.of(1L << 30), EvictionListener.NONE);
    service = newService();
    index = upstream.putTag("3.19", "{\"schemaVersion\":2,\"n\":1}", MediaTypes.OCI_INDEX);
    get("3.19");
    blobs.delete(index.digest()); // what an eviction leaves: the tag and media type, no blob
    service = newService(); // nor is it in memory any more (a restart, or memory full)
    upstream.manifestGets.set(0);
    upstream.manifestHeads.set(0);
  }

  private ManifestService newService() throws Exception {
    StoredManifests stored = new StoredManifests(blobs, FileSystemMediaTypeStore.open(data));
    return new ManifestService(stored, FileSystemTagStore.open(data), DISK, clock, TTL);
  }

  private ManifestContent get(String reference) {
    return service
        .get(new ManifestRequest(upstream, REPO, Reference.parse(reference), AcceptedTypes.ANY))
        .join()
        .value();
  }

  @Test
  void getTag_manifestEvicted_refetchesAndStoresItAgain() throws Exception {
    ManifestContent content = get("3.19");

    assertThat(content.body()).isEqualTo(index.body());
    assertThat(content.descriptor().digest()).isEqualTo(index.digest());
    assertThat(upstream.manifestGets).hasValue(1);
    assertThat(blobs.stat(index.digest())).isPresent();

    get("3.19");
    assertThat(upstream.manifestGets).as("cached again").hasValue(1);
  }

  @Test
  void headTag_manifestEvicted_answersWithTheTagsDigest() {
    ManifestDescriptor head =
        service
            .head(new ManifestRequest(upstream, REPO, Reference.parse("3.19"), AcceptedTypes.ANY))
            .join()
            .value();

    assertThat(head.digest()).isEqualTo(index.digest());
    assertThat(head.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(upstream.manifestGets).as("a HEAD is answered by a HEAD").hasValue(0);
  }

  @Test
  void getByDigest_manifestEvicted_refetches() {
    ManifestContent content = get(index.digest().toString());

    assertThat(content.body()).isEqualTo(index.body());
    assertThat(upstream.manifestGets).hasValue(1);
  }
}
