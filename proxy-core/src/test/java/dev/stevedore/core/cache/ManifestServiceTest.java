package dev.stevedore.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.testing.FakeClock;
import dev.stevedore.core.testing.FakeUpstream;
import dev.stevedore.storage.FileSystemBlobStore;
import dev.stevedore.storage.FileSystemMediaTypeStore;
import dev.stevedore.storage.FileSystemTagStore;
import dev.stevedore.storage.TagRecord;
import dev.stevedore.storage.TagStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestServiceTest {
  private static final RepositoryName REPO = RepositoryName.parse("library/alpine");
  private static final Duration TTL = Duration.ofMinutes(5);
  private static final Executor DISK = Runnable::run;

  @TempDir Path data;
  private final FakeUpstream upstream = new FakeUpstream();
  private final FakeClock clock = new FakeClock();
  private ManifestService service;
  private FakeUpstream.Manifest index;

  @BeforeEach
  void setUp() throws Exception {
    service = newService();
    index = upstream.putTag("3.19", "{\"schemaVersion\":2,\"n\":1}", MediaTypes.OCI_INDEX);
  }

  private final AtomicInteger tagReads = new AtomicInteger();

  private ManifestService newService() throws Exception {
    StoredManifests stored =
        new StoredManifests(FileSystemBlobStore.open(data), FileSystemMediaTypeStore.open(data));
    TagStore onDisk = FileSystemTagStore.open(data);
    TagStore counted =
        new TagStore() {
          @Override
          public Optional<TagRecord> get(String registry, String repository, String tag)
              throws IOException {
            tagReads.incrementAndGet();
            return onDisk.get(registry, repository, tag);
          }

          @Override
          public void put(String registry, String repository, String tag, TagRecord record)
              throws IOException {
            onDisk.put(registry, repository, tag, record);
          }
        };
    return new ManifestService(stored, counted, DISK, clock, TTL);
  }

  private ManifestContent get(String reference) {
    return getServed(reference).value();
  }

  private ManifestDescriptor head(String reference) {
    return headServed(reference).value();
  }

  private Served<ManifestContent> getServed(String reference) {
    return service.get(ManifestRequest.of(upstream, REPO, Reference.parse(reference))).join();
  }

  private Served<ManifestDescriptor> headServed(String reference) {
    return service.head(ManifestRequest.of(upstream, REPO, Reference.parse(reference))).join();
  }

  @Test
  void getTag_cold_fetchesOnceAndServesExactBytes() {
    ManifestContent content = get("3.19");

    assertThat(content.body()).isEqualTo(index.body());
    assertThat(content.descriptor().digest()).isEqualTo(index.digest());
    assertThat(content.descriptor().mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(upstream.manifestGets).hasValue(1);
  }

  @Test
  void getTag_withinTtl_makesNoUpstreamRequest() {
    get("3.19");
    clock.advance(TTL.minusSeconds(1));

    get("3.19");
    head("3.19");

    assertThat(upstream.manifestGets).hasValue(1);
    assertThat(upstream.manifestHeads).hasValue(0);
  }

  @Test
  void getTag_afterTtlUnchanged_revalidatesWithHeadOnly() {
    get("3.19");
    clock.advance(TTL.plusSeconds(1));

    assertThat(getServed("3.19").stale()).isFalse();
    get("3.19");

    assertThat(upstream.manifestHeads).hasValue(1);
    assertThat(upstream.manifestGets).hasValue(1);
  }

  @Test
  void getTag_afterTtl_readsTheTagRecordOnce() throws Exception {
    get("3.19");
    service = newService(); // nothing in memory: the record must come from disk
    clock.advance(TTL.plusSeconds(1));
    tagReads.set(0);

    get("3.19");

    assertThat(tagReads).hasValue(1);
    assertThat(upstream.manifestHeads).hasValue(1);
  }

  @Test
  void getTag_afterTtlChanged_fetchesNewManifest() {
    get("3.19");
    FakeUpstream.Manifest updated =
        upstream.putTag("3.19", "{\"schemaVersion\":2,\"n\":2}", MediaTypes.OCI_INDEX);
    clock.advance(TTL.plusSeconds(1));

    ManifestContent content = get("3.19");

    assertThat(content.descriptor().digest()).isEqualTo(updated.digest());
    assertThat(upstream.manifestGets).hasValue(2);
  }

  @Test
  void getTag_upstreamDownAfterTtl_servesCachedStale() {
    get("3.19");
    clock.advance(TTL.plusSeconds(1));
    upstream.failure = ErrorCode.UNAVAILABLE.exception("upstream down");

    Served<ManifestContent> served = getServed("3.19");

    assertThat(served.value().body()).isEqualTo(index.body());
    assertThat(served.stale()).isTrue();
    assertThat(headServed("3.19").stale()).isTrue();
  }

  @Test
  void getTag_upstreamRateLimitedAndNothingCached_failsWithTooManyRequests() {
    upstream.failure = ErrorCode.TOOMANYREQUESTS.exception("slow down");

    assertThatThrownBy(() -> get("3.19"))
        .cause()
        .isInstanceOf(RegistryException.class)
        .extracting(e -> ((RegistryException) e).code())
        .isEqualTo(ErrorCode.TOOMANYREQUESTS);
  }

  @Test
  void getTag_unknownUpstream_isManifestUnknownAndNothingCached() {
    assertThatThrownBy(() -> get("nope"))
        .cause()
        .extracting(e -> ((RegistryException) e).code())
        .isEqualTo(ErrorCode.MANIFEST_UNKNOWN);
    upstream.putTag("nope", "{\"n\":3}", MediaTypes.OCI_MANIFEST);
    clock.advance(Duration.ofSeconds(31));

    assertThat(get("nope").descriptor().mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
  }

  @Test
  void getTag_missingUpstream_isRememberedBrieflyThenAskedAgain() {
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> get("missing")).hasCauseInstanceOf(RegistryException.class);
      assertThatThrownBy(() -> head("missing")).hasCauseInstanceOf(RegistryException.class);
    }
    assertThat(upstream.manifestGets.get() + upstream.manifestHeads.get()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(31));
    assertThatThrownBy(() -> get("missing")).hasCauseInstanceOf(RegistryException.class);

    assertThat(upstream.manifestGets.get() + upstream.manifestHeads.get()).isEqualTo(2);
  }

  @Test
  void getTag_cachedButGoneUpstream_keepsServingWhatIsCached() {
    get("3.19");
    upstream.manifestsByTag.clear();
    clock.advance(TTL.plusSeconds(1));

    Served<ManifestContent> served = getServed("3.19");

    assertThat(served.value().body()).isEqualTo(index.body());
    assertThat(served.stale()).isTrue();
  }

  @Test
  void getDigest_cached_neverAsksUpstreamEvenWhenDown() {
    get(index.digest().toString());
    upstream.failure = ErrorCode.UNAVAILABLE.exception("down");

    assertThat(get(index.digest().toString()).body()).isEqualTo(index.body());
    assertThat(head(index.digest().toString()).size()).isEqualTo(index.body().length);
    assertThat(upstream.manifestGets).hasValue(1);
  }

  @Test
  void headTag_uncached_usesUpstreamHeadNotGet() {
    ManifestDescriptor descriptor = head("3.19");

    assertThat(descriptor.digest()).isEqualTo(index.digest());
    assertThat(descriptor.size()).isEqualTo(index.body().length);
    assertThat(upstream.manifestGets).hasValue(0);
    assertThat(upstream.manifestHeads).hasValue(1);
  }

  @Test
  void getTag_clientAcceptsOnlyOtherType_isUnknownWithoutAskingUpstreamAgain() {
    get("3.19");
    AcceptedTypes dockerOnly = new AcceptedTypes(List.of(MediaTypes.DOCKER_MANIFEST_V2));

    assertThatThrownBy(
            () ->
                service
                    .get(new ManifestRequest(upstream, REPO, Reference.parse("3.19"), dockerOnly))
                    .join()
                    .value())
        .hasCauseInstanceOf(RegistryException.class)
        .cause()
        .satisfies(
            e -> assertThat(((RegistryException) e).code()).isEqualTo(ErrorCode.MANIFEST_UNKNOWN));
    assertThat(upstream.manifestGets).hasValue(1);
    assertThat(upstream.manifestHeads).hasValue(0);
  }

  @Test
  void getTag_narrowAcceptFirst_doesNotHideTheTagFromOtherClients() {
    AcceptedTypes dockerOnly = new AcceptedTypes(List.of(MediaTypes.DOCKER_MANIFEST_V2));

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(
              () ->
                  service
                      .get(new ManifestRequest(upstream, REPO, Reference.parse("3.19"), dockerOnly))
                      .join()
                      .value())
          .cause()
          .satisfies(
              e ->
                  assertThat(((RegistryException) e).code()).isEqualTo(ErrorCode.MANIFEST_UNKNOWN));
      assertThatThrownBy(
              () ->
                  service
                      .head(
                          new ManifestRequest(upstream, REPO, Reference.parse("3.19"), dockerOnly))
                      .join()
                      .value())
          .cause()
          .satisfies(
              e ->
                  assertThat(((RegistryException) e).code()).isEqualTo(ErrorCode.MANIFEST_UNKNOWN));
    }

    assertThat(get("3.19").body()).isEqualTo(index.body());
    assertThat(head("3.19").mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(upstream.manifestAccepts)
        .allSatisfy(
            accept ->
                assertThat(accept).containsExactlyInAnyOrderElementsOf(MediaTypes.ALL_MANIFESTS));
  }

  @Test
  void getByDigest_narrowAccept_upstreamAskedWithEveryType() {
    AcceptedTypes dockerOnly = new AcceptedTypes(List.of(MediaTypes.DOCKER_MANIFEST_V2));

    ManifestContent content =
        service
            .get(
                new ManifestRequest(
                    upstream, REPO, Reference.parse(index.digest().toString()), dockerOnly))
            .join()
            .value();

    assertThat(content.body()).isEqualTo(index.body());
    assertThat(upstream.manifestAccepts).containsExactly(MediaTypes.ALL_MANIFESTS);
  }

  @Test
  void getTag_persistsAcrossRestart() throws Exception {
    get("3.19");
    service = newService();
    upstream.failure = ErrorCode.UNAVAILABLE.exception("offline");

    assertThat(get("3.19").body()).isEqualTo(index.body());
  }

  @Test
  void getTag_concurrentColdRequests_makeOneUpstreamGet() {
    upstream.gate = new CompletableFuture<>();
    List<CompletableFuture<Served<ManifestContent>>> pulls =
        IntStream.range(0, 20)
            .mapToObj(i -> service.get(ManifestRequest.of(upstream, REPO, Reference.parse("3.19"))))
            .toList();
    upstream.gate.complete(null);

    pulls.forEach(pull -> assertThat(pull.join().value().body()).isEqualTo(index.body()));
    assertThat(upstream.manifestGets).hasValue(1);
    assertThat(pulls.stream().map(pull -> pull.join().outcome()))
        .containsOnly(CacheOutcome.MISS, CacheOutcome.COALESCED)
        .containsOnlyOnce(CacheOutcome.MISS);
  }

  @Test
  void outcomes_tagAndDigest_reportHowEachAnswerWasServed() {
    assertThat(getServed("3.19").outcome()).isEqualTo(CacheOutcome.MISS);
    assertThat(getServed("3.19").outcome()).isEqualTo(CacheOutcome.HIT);
    assertThat(headServed("3.19").outcome()).isEqualTo(CacheOutcome.HIT);
    assertThat(getServed(index.digest().toString()).outcome()).isEqualTo(CacheOutcome.HIT);

    clock.advance(TTL.plusSeconds(1));
    assertThat(getServed("3.19").outcome()).isEqualTo(CacheOutcome.HIT); // confirmed by a HEAD
    clock.advance(TTL.plusSeconds(1));
    upstream.failure = ErrorCode.UNAVAILABLE.exception("upstream down");
    assertThat(getServed("3.19").outcome()).isEqualTo(CacheOutcome.STALE);
  }
}
