package dev.stevedore.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.cache.ImageFetcher.FetchedImage;
import dev.stevedore.core.model.ImageReference;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.testing.FakeClock;
import dev.stevedore.core.testing.FakeUpstream;
import dev.stevedore.core.upstream.ReferrersResponse;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.FileSystemBlobStore;
import dev.stevedore.storage.FileSystemMediaTypeStore;
import dev.stevedore.storage.FileSystemTagStore;
import dev.stevedore.storage.TagStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --with-referrers}: cosign tags and OCI referrers of an image come into the cache. */
class ReferrerFetcherTest {
  private static final RepositoryName REPO = RepositoryName.parse("library/signed");
  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  @TempDir Path data;
  private final FakeUpstream upstream = new FakeUpstream("docker.io");
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final FakeClock clock = new FakeClock();
  private TagStore tags;
  private ManifestService manifests;
  private ImageFetcher images;
  private ReferrerFetcher fetcher;

  @BeforeEach
  void setUp() throws Exception {
    StoredManifests stored =
        new StoredManifests(FileSystemBlobStore.open(data), FileSystemMediaTypeStore.open(data));
    tags = FileSystemTagStore.open(data);
    manifests = new ManifestService(stored, tags, threads, clock, Duration.ofMinutes(5));
    images =
        new ImageFetcher(
            manifests, new BlobService(FileSystemBlobStore.open(data), threads, threads));
    fetcher = new ReferrerFetcher(images, manifests.referrers(), threads);
  }

  @AfterEach
  void tearDown() {
    threads.shutdownNow();
  }

  private String manifest(String marker) {
    Digest config = upstream.putBlob(("{\"marker\":\"" + marker + "\"}").getBytes());
    Digest layer = upstream.putBlob(("layer of " + marker).getBytes());
    int configSize = ("{\"marker\":\"" + marker + "\"}").length();
    int layerSize = ("layer of " + marker).length();
    return "{\"schemaVersion\":2,\"mediaType\":\""
        + OCI_MANIFEST
        + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
        + config
        + "\",\"size\":"
        + configSize
        + "},\"layers\":[{\"mediaType\":\"application/octet-stream\",\"digest\":\""
        + layer
        + "\",\"size\":"
        + layerSize
        + "}]}";
  }

  private FetchedImage image() {
    upstream.putTag("1", manifest("image"), OCI_MANIFEST);
    return images
        .fetch(
            upstream,
            ImageReference.parse("docker.io/library/signed:1"),
            List.of(),
            new ImageFetcher.Listener() {})
        .join();
  }

  private static String tagOf(Digest digest) {
    return "sha256-" + digest.hex();
  }

  @Test
  void cosignTagsAndApiReferrers_areFetched_andTheIndexIsKeptAsTheTagSchemaTag() throws Exception {
    FetchedImage image = image();
    Digest subject = image.top().descriptor().digest();
    upstream.putTag(tagOf(subject) + ".sig", manifest("signature"), OCI_MANIFEST);
    byte[] referrer = manifest("referrer").getBytes(StandardCharsets.UTF_8);
    Digest referrerDigest = Digest.sha256(referrer);
    upstream.manifests.put(
        referrerDigest, new FakeUpstream.Manifest(referrer, OCI_MANIFEST, referrerDigest));
    byte[] index =
        ("{\"schemaVersion\":2,\"mediaType\":\""
                + MediaTypes.OCI_INDEX
                + "\",\"manifests\":[{\"mediaType\":\""
                + OCI_MANIFEST
                + "\",\"digest\":\""
                + referrerDigest
                + "\",\"size\":"
                + referrer.length
                + ",\"artifactType\":\"application/vnd.example+json\"}]}")
            .getBytes(StandardCharsets.UTF_8);
    upstream.referrers = ReferrersResponse.unfiltered(index);

    List<FetchedImage> attached = fetcher.fetch(upstream, image);

    assertThat(attached)
        .extracting(each -> each.image().reference().value())
        .containsExactly(tagOf(subject) + ".sig", tagOf(subject));
    FetchedImage referrers = attached.get(1);
    assertThat(referrers.top().body()).isEqualTo(index);
    assertThat(referrers.manifests())
        .extracting(each -> each.descriptor().digest())
        .containsExactly(Digest.sha256(index), referrerDigest);
    assertThat(referrers.blobs()).hasSize(2);
    assertThat(tags.get("docker.io", REPO.value(), tagOf(subject)))
        .hasValueSatisfying(tag -> assertThat(tag.digest()).isEqualTo(Digest.sha256(index)));
  }

  @Test
  void nothingAttached_isNoError() {
    FetchedImage image = image();

    assertThat(fetcher.fetch(upstream, image)).isEmpty();
  }

  @Test
  void withoutTheApi_theUpstreamsTagSchemaIndexIsFetched_andAnswersTheApiFromTheCache() {
    FetchedImage image = image();
    Digest subject = image.top().descriptor().digest();
    String referrer = manifest("referrer");
    FakeUpstream.Manifest listed = upstream.putTag("unrelated", referrer, OCI_MANIFEST);
    upstream.putTag(
        tagOf(subject),
        "{\"schemaVersion\":2,\"mediaType\":\""
            + MediaTypes.OCI_INDEX
            + "\",\"manifests\":[{\"mediaType\":\""
            + OCI_MANIFEST
            + "\",\"digest\":\""
            + listed.digest()
            + "\",\"size\":"
            + listed.body().length
            + "}]}",
        MediaTypes.OCI_INDEX);

    List<FetchedImage> attached = fetcher.fetch(upstream, image);

    assertThat(attached).hasSize(1);
    assertThat(attached.get(0).manifests()).hasSize(2);
    assertThat(
            manifests
                .referrers()
                .referrers(upstream, REPO, subject, Optional.empty())
                .join()
                .value()
                .orElseThrow()
                .manifests())
        .containsExactly(listed.digest()); // the tag was pulled through into the cache
  }
}
