package dev.stevedore.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.error.ErrorCode;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The referrers cache: TTL, revalidation, stale answers, single flight, filters and links. */
class ReferrersServiceTest {
  private static final RepositoryName REPO = RepositoryName.parse("library/alpine");
  private static final Duration TTL = Duration.ofMinutes(5);
  private static final Executor DISK = Runnable::run;
  private static final Digest SUBJECT = Digest.sha256("subject".getBytes(StandardCharsets.UTF_8));
  private static final Digest SIGNATURE = Digest.sha256("sig".getBytes(StandardCharsets.UTF_8));
  private static final String COSIGN = "application/vnd.dev.cosign.artifact.sig.v1+json";

  @TempDir Path data;
  private final FakeUpstream upstream = new FakeUpstream("docker.io");
  private final FakeClock clock = new FakeClock();
  private RepositoryLinks links;
  private TagStore tags;
  private ReferrersService service;

  @BeforeEach
  void setUp() throws Exception {
    StoredManifests stored =
        new StoredManifests(FileSystemBlobStore.open(data), FileSystemMediaTypeStore.open(data));
    links = RepositoryLinks.inMemory(stored, DISK);
    tags = FileSystemTagStore.open(data);
    service = new ReferrersService(stored, tags, links, DISK, clock, TTL);
  }

  private static ReferrersResponse index(String marker, boolean filtered, Digest... listed) {
    byte[] body =
        ("{\"schemaVersion\":2,\"manifests\":[],\"marker\":\"" + marker + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    return new ReferrersResponse(body, List.of(listed), filtered);
  }

  private Served<Optional<ReferrersResponse>> ask(Optional<String> artifactType) throws Exception {
    return service.referrers(upstream, REPO, SUBJECT, artifactType).get(10, TimeUnit.SECONDS);
  }

  private Served<Optional<ReferrersResponse>> ask() throws Exception {
    return ask(Optional.empty());
  }

  @Test
  void answer_isCachedForTheTtl() throws Exception {
    ReferrersResponse first = index("one", false, SIGNATURE);
    upstream.referrers = first;

    Served<Optional<ReferrersResponse>> miss = ask();
    Served<Optional<ReferrersResponse>> hit = ask();

    assertThat(miss.outcome()).isEqualTo(CacheOutcome.MISS);
    assertThat(miss.value()).contains(first);
    assertThat(hit.outcome()).isEqualTo(CacheOutcome.HIT);
    assertThat(hit.value()).contains(first);
    assertThat(upstream.referrersGets).hasValue(1);
  }

  @Test
  void afterTheTtl_isRevalidatedWithAGet() throws Exception {
    upstream.referrers = index("one", false);
    ask();
    clock.advance(TTL.plusSeconds(1));
    ReferrersResponse second = index("two", false);
    upstream.referrers = second;

    Served<Optional<ReferrersResponse>> changed = ask();
    clock.advance(TTL.plusSeconds(1));
    Served<Optional<ReferrersResponse>> unchanged = ask();

    assertThat(changed.outcome()).isEqualTo(CacheOutcome.MISS);
    assertThat(changed.value()).contains(second);
    assertThat(unchanged.outcome()).isEqualTo(CacheOutcome.HIT);
    assertThat(upstream.referrersGets).hasValue(3);
  }

  @Test
  void upstreamDownOrRateLimiting_servesStale() throws Exception {
    ReferrersResponse cached = index("one", false);
    upstream.referrers = cached;
    ask();
    clock.advance(TTL.plusSeconds(1));

    upstream.failure = ErrorCode.UNAVAILABLE.exception("down");
    Served<Optional<ReferrersResponse>> down = ask();
    upstream.failure = ErrorCode.TOOMANYREQUESTS.exception("slow down");
    Served<Optional<ReferrersResponse>> limited = ask();

    assertThat(down.outcome()).isEqualTo(CacheOutcome.STALE);
    assertThat(down.value()).contains(cached);
    assertThat(limited.outcome()).isEqualTo(CacheOutcome.STALE);
    assertThat(upstream.referrersGets).hasValue(3);
  }

  @Test
  void upstreamDown_withNothingCached_fails() {
    upstream.failure = ErrorCode.UNAVAILABLE.exception("down");

    assertThatThrownBy(this::ask)
        .isInstanceOf(ExecutionException.class)
        .cause()
        .hasMessageContaining("down");
  }

  private static ReferrersResponse signatureIndex() {
    byte[] body =
        ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                + "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"digest\":\""
                + SIGNATURE
                + "\",\"size\":3,\"artifactType\":\""
                + COSIGN
                + "\"}]}")
            .getBytes(StandardCharsets.UTF_8);
    return ReferrersResponse.unfiltered(body);
  }

  @Test
  void noReferrersApi_answersFromTheKeptTagSchemaTag() throws Exception {
    ReferrersResponse kept = signatureIndex();
    String tag = service.keepAsTag(upstream, REPO, SUBJECT, kept);

    Served<Optional<ReferrersResponse>> answer = ask(Optional.of(COSIGN));

    assertThat(tag).isEqualTo("sha256-" + SUBJECT.hex());
    assertThat(tags.get("docker.io", REPO.value(), tag)).isPresent();
    assertThat(answer.outcome()).isEqualTo(CacheOutcome.HIT);
    assertThat(answer.value().orElseThrow().index()).isEqualTo(kept.index());
    assertThat(answer.value().orElseThrow().manifests()).containsExactly(SIGNATURE);
    assertThat(answer.value().orElseThrow().filtered()).isFalse();
    assertThat(links.has("docker.io", REPO, SIGNATURE)).isTrue();
  }

  @Test
  void upstreamDown_withNothingCached_answersFromTheKeptTag() throws Exception {
    service.keepAsTag(upstream, REPO, SUBJECT, signatureIndex());
    upstream.failure = ErrorCode.UNAVAILABLE.exception("down");

    assertThat(ask().value().orElseThrow().manifests()).containsExactly(SIGNATURE);
  }

  @Test
  void anUpstreamAnswer_winsOverTheKeptTag() throws Exception {
    service.keepAsTag(upstream, REPO, SUBJECT, signatureIndex());
    ReferrersResponse upstreamAnswer = index("upstream", false);
    upstream.referrers = upstreamAnswer;

    assertThat(ask().value()).contains(upstreamAnswer);
  }

  @Test
  void theKeptTag_servesOnlyItsRepository() throws Exception {
    service.keepAsTag(upstream, REPO, SUBJECT, signatureIndex());

    Served<Optional<ReferrersResponse>> other =
        service
            .referrers(upstream, RepositoryName.parse("library/other"), SUBJECT, Optional.empty())
            .get(10, TimeUnit.SECONDS);

    assertThat(other.value()).isEmpty();
  }

  @Test
  void noReferrersApi_isCachedToo() throws Exception {
    Served<Optional<ReferrersResponse>> first = ask();
    Served<Optional<ReferrersResponse>> second = ask();

    assertThat(first.value()).isEmpty();
    assertThat(second.value()).isEmpty();
    assertThat(second.outcome()).isEqualTo(CacheOutcome.HIT);
    assertThat(upstream.referrersGets).hasValue(1);
  }

  @Test
  void concurrentRequests_makeOneUpstreamRequest() throws Exception {
    upstream.referrers = index("one", false);
    CompletableFuture<Void> gate = new CompletableFuture<>();
    upstream.gate = gate;

    CompletableFuture<Served<Optional<ReferrersResponse>>> first =
        service.referrers(upstream, REPO, SUBJECT, Optional.empty());
    CompletableFuture<Served<Optional<ReferrersResponse>>> second =
        service.referrers(upstream, REPO, SUBJECT, Optional.empty());
    gate.complete(null);

    assertThat(first.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(CacheOutcome.MISS);
    assertThat(second.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(CacheOutcome.COALESCED);
    assertThat(upstream.referrersGets).hasValue(1);
  }

  @Test
  void eachFilter_isItsOwnAnswer() throws Exception {
    ReferrersResponse all = index("all", false);
    upstream.referrers = all;
    ask();
    ReferrersResponse signatures = index("signatures", true);
    upstream.referrers = signatures;

    Served<Optional<ReferrersResponse>> filtered = ask(Optional.of(COSIGN));
    Served<Optional<ReferrersResponse>> unfiltered = ask();

    assertThat(filtered.value()).contains(signatures);
    assertThat(filtered.value().get().filtersApplied()).contains("artifactType");
    assertThat(unfiltered.value()).contains(all);
    assertThat(upstream.referrersFilters).containsExactly(Optional.empty(), Optional.of(COSIGN));
  }

  @Test
  void listedManifests_areLinkedToTheRepository() throws Exception {
    upstream.referrers = index("one", false, SIGNATURE);

    ask();

    assertThat(links.cached("docker.io", REPO, SIGNATURE)).isTrue();
    assertThat(links.cached("docker.io", RepositoryName.parse("library/other"), SIGNATURE))
        .isFalse();
  }
}
