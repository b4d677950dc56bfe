package dev.stevedore.core.upstream;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.metrics.UpstreamKind;
import dev.stevedore.core.model.MediaTypes;
import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.storage.Digest;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The registry API endpoints Stevedore pulls through, one record each: all there is to know about a
 * verb is in its record, and {@link UpstreamClient} only sends them. A new verb (such as the
 * referrers API) is a new record here, its tag in {@link UpstreamKind}, and a method on {@link
 * Upstream} that sends it.
 */
final class RegistryEndpoints {

  static final int MAX_TAG_LIST_BYTES = 8 * 1024 * 1024;
  private static final Pattern TAG_QUERY_PARAM = Pattern.compile("(n|last)=[A-Za-z0-9._~%-]*");

  private RegistryEndpoints() {}

  /** What the {@code HEAD} endpoints share: no body, so only the headers are read. */
  interface HeadEndpoint<R> extends UpstreamEndpoint<Void, R> {
    @Override
    default String method() {
      return "HEAD";
    }

    @Override
    default BodyHandling<Void> body() {
      return BodyHandling.headersOnly();
    }
  }

  /**
   * What the manifest endpoints share: the manifest asked for with the client's Accept types (an
   * empty {@code accept} asks for every manifest type), a 404 meaning {@code MANIFEST_UNKNOWN}, and
   * the rate-limit headers Docker Hub states on them (GET and HEAD alike).
   */
  interface ManifestEndpoint<B, R> extends UpstreamEndpoint<B, R> {
    RepositoryName repository();

    Reference reference();

    List<String> accept();

    @Override
    default UpstreamTarget target() {
      return new UpstreamTarget(
          "/v2/" + repository().value() + "/manifests/" + reference().value(),
          accept().isEmpty() ? MediaTypes.ALL_MANIFESTS : accept(),
          Optional.of(repository()),
          "manifest " + repository() + ":" + reference());
    }

    @Override
    default ErrorCode notFound() {
      return ErrorCode.MANIFEST_UNKNOWN;
    }

    @Override
    default boolean observesRateLimit() {
      return true;
    }
  }

  /**
   * {@code GET /v2/<name>/manifests/<reference>}: the manifest byte for byte, checked by {@link
   * ManifestReplies#response}. Docker Hub meters it.
   */
  record ManifestGet(RepositoryName repository, Reference reference, List<String> accept)
      implements ManifestEndpoint<CappedBytes, ManifestResponse> {

    @Override
    public UpstreamKind kind() {
      return UpstreamKind.MANIFEST_GET;
    }

    @Override
    public BodyHandling<CappedBytes> body() {
      return BodyHandling.buffered(ManifestReplies.MAX_MANIFEST_BYTES);
    }

    @Override
    public ManifestResponse read(Reply<CappedBytes> reply, String upstream) {
      return ManifestReplies.response(upstream, target().what(), reference, reply);
    }
  }

  /**
   * {@code HEAD /v2/<name>/manifests/<reference>}: digest, type and length, no body. Docker Hub
   * does not meter it.
   */
  record ManifestHeadRequest(RepositoryName repository, Reference reference, List<String> accept)
      implements ManifestEndpoint<Void, ManifestHead>, HeadEndpoint<ManifestHead> {

    @Override
    public UpstreamKind kind() {
      return UpstreamKind.MANIFEST_HEAD;
    }

    @Override
    public ManifestHead read(Reply<Void> reply, String upstream) {
      return ManifestReplies.head(reference, reply);
    }
  }

  /** What the blob endpoints share: the blob asked for, and a 404 meaning {@code BLOB_UNKNOWN}. */
  interface BlobEndpoint<B, R> extends UpstreamEndpoint<B, R> {
    RepositoryName repository();

    Digest digest();

    @Override
    default UpstreamTarget target() {
      return new UpstreamTarget(
          "/v2/" + repository().value() + "/blobs/" + digest(),
          List.of(),
          Optional.of(repository()),
          "blob " + repository() + "@" + digest());
    }

    @Override
    default ErrorCode notFound() {
      return ErrorCode.BLOB_UNKNOWN;
    }
  }

  /**
   * {@code GET /v2/<name>/blobs/<digest>}: the blob as a stream (often from a CDN it redirects to),
   * not verified here; the caller closes it.
   */
  record BlobGet(RepositoryName repository, Digest digest)
      implements BlobEndpoint<InputStream, BlobDownload> {

    @Override
    public UpstreamKind kind() {
      return UpstreamKind.BLOB_GET;
    }

    @Override
    public BodyHandling<InputStream> body() {
      return BodyHandling.streamed();
    }

    @Override
    public BlobDownload read(Reply<InputStream> reply, String upstream) {
      return new BlobDownload(reply.contentLength(), reply.body());
    }
  }

  /** {@code HEAD /v2/<name>/blobs/<digest>}: the blob's length. */
  record BlobHeadRequest(RepositoryName repository, Digest digest)
      implements BlobEndpoint<Void, BlobHead>, HeadEndpoint<BlobHead> {

    @Override
    public UpstreamKind kind() {
      return UpstreamKind.BLOB_HEAD;
    }

    @Override
    public BlobHead read(Reply<Void> reply, String upstream) {
      return new BlobHead(reply.contentLength());
    }
  }

  /**
   * {@code GET /v2/<name>/tags/list}: the tag list as upstream wrote it, with its pagination {@code
   * Link}. Of the client's {@code rawQuery} (nullable, such as {@code n=10&last=x}) only {@code n}
   * and {@code last} are forwarded.
   */
  record TagList(RepositoryName repository, String rawQuery)
      implements UpstreamEndpoint<CappedBytes, TagListResponse> {

    @Override
    public UpstreamTarget target() {
      String query = paginationQuery(rawQuery);
      return new UpstreamTarget(
          "/v2/" + repository.value() + "/tags/list" + (query.isEmpty() ? "" : "?" + query),
          List.of("application/json"),
          Optional.of(repository),
          "tags of " + repository);
    }

    @Override
    public UpstreamKind kind() {
      return UpstreamKind.TAGS;
    }

    @Override
    public BodyHandling<CappedBytes> body() {
      return BodyHandling.buffered(MAX_TAG_LIST_BYTES);
    }

    @Override
    public ErrorCode notFound() {
      return ErrorCode.NAME_UNKNOWN;
    }

    @Override
    public TagListResponse read(Reply<CappedBytes> reply, String upstream) {
      if (reply.body().truncated()) {
        throw RegistryException.internal(
            "upstream "
                + upstream
                + " sent a tag list over 8 MiB for "
                + repository
                + "; ask for fewer with ?n=",
            null);
      }
      return new TagListResponse(
          reply.status(),
          reply.body().bytes(),
          reply.headers().firstValue("Content-Type").orElse("application/json"),
          reply.headers().firstValue("Link"));
    }
  }

  /**
   * {@code GET /v2/<name>/referrers/<digest>[?artifactType=...]} (OCI distribution 1.1): the index
   * of the manifests whose {@code subject} is the digest, checked by {@link ReferrersIndex}. A 404
   * or 405 means the upstream has no referrers API (the spec forbids a 404 from one that has it):
   * an empty answer, so clients are sent to the tag schema, not an error. Filtering is reported
   * only for the filter asked for.
   */
  record ReferrersGet(RepositoryName repository, Digest subject, Optional<String> artifactType)
      implements UpstreamEndpoint<CappedBytes, Optional<ReferrersResponse>> {

    @Override
    public UpstreamTarget target() {
      String query =
          artifactType
              .map(type -> "?artifactType=" + URLEncoder.encode(type, StandardCharsets.UTF_8))
              .orElse("");
      return new UpstreamTarget(
          "/v2/" + repository.value() + "/referrers/" + subject + query,
          List.of(MediaTypes.OCI_INDEX),
          Optional.of(repository),
          "referrers of " + repository + "@" + subject);
    }

    @Override
    public UpstreamKind kind() {
      return UpstreamKind.REFERRERS;
    }

    @Override
    public BodyHandling<CappedBytes> body() {
      return BodyHandling.buffered(ReferrersIndex.MAX_INDEX_BYTES);
    }

    @Override
    public ErrorCode notFound() {
      return ErrorCode.MANIFEST_UNKNOWN; // never used: a 404 is an answer here
    }

    @Override
    public boolean answers(int status) {
      return status == 200 || status == 404 || status == 405;
    }

    @Override
    public Optional<ReferrersResponse> read(Reply<CappedBytes> reply, String upstream) {
      if (reply.status() != 200) {
        return Optional.empty();
      }
      if (reply.body().truncated()) {
        throw new UpstreamProtocolException(
            "its referrers index is over " + ReferrersIndex.MAX_INDEX_BYTES + " bytes");
      }
      byte[] index = reply.body().bytes();
      boolean filtered =
          artifactType.isPresent()
              && reply.headers().allValues("OCI-Filters-Applied").stream()
                  .flatMap(value -> Arrays.stream(value.split(",")))
                  .anyMatch(
                      filter -> filter.strip().equals(ReferrersResponse.ARTIFACT_TYPE_FILTER));
      return Optional.of(new ReferrersResponse(index, ReferrersIndex.manifests(index), filtered));
    }
  }

  /** The {@code n} and {@code last} parameters of a raw query, anything else dropped. */
  static String paginationQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    List<String> kept = new ArrayList<>();
    for (String param : rawQuery.split("&")) {
      if (TAG_QUERY_PARAM.matcher(param).matches()) {
        kept.add(param);
      }
    }
    return String.join("&", kept);
  }
}
